using Tts.Language.Text;

namespace Tts.Language.Binding.Guarantees;

/// <summary>What a strategy promises about its output law, ordered exact ⊑ consistent ⊑ heuristic.</summary>
public enum Guarantee
{
    /// <summary>Each returned sample follows the target exactly.</summary>
    Exact,

    /// <summary>The returned weighted population is properly weighted for the target.</summary>
    Consistent,

    /// <summary>No distributional claim.</summary>
    Heuristic,
}

/// <summary>An inferred guarantee, the target law it refers to, and why (with the deciding statement's span).</summary>
public sealed record GuaranteeInfo(Guarantee Level, string Target, string Reason, TextSpan ReasonSpan)
{
    public string LevelName => Level.ToString().ToLowerInvariant();

    /// <summary>
    /// The claim is about the output given that it passed a condition (rejection sampling): true for one input, but over a
    /// random input the passing outputs mix the per-input laws weighted by each input's chance of passing.
    /// </summary>
    public bool ConditionsOnPassing { get; init; }
}
