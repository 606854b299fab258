using Tts.Semantics;

namespace Tts.Runtime.Hosting;

/// <summary>What a name a strategy uses must be bound to before it runs.</summary>
public enum BindingKind
{
    Model,
    Reward,
    Verifier,
    Extractor,
}

/// <summary>
/// A model, reward, verifier or extractor a strategy uses (anywhere: loop bodies, repeat members and called strategies
/// included), by the name its .tts file declares. <see cref="ResultType"/> is a reward's declared Score or Prob.
/// </summary>
public sealed record StrategyRequirement(BindingKind Kind, string Name, TtsType? ResultType = null)
{
    public static StrategyRequirement Model(string name) => new(BindingKind.Model, name);

    public static StrategyRequirement Function(FunctionKind kind, string name, TtsType resultType) => kind switch
    {
        FunctionKind.Reward => new(BindingKind.Reward, name, resultType),
        FunctionKind.Verifier => new(BindingKind.Verifier, name),
        _ => new(BindingKind.Extractor, name),
    };

    /// <summary>"model 'policy'", "reward 'prm' (Score)".</summary>
    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()} '{Name}'" + (ResultType is null ? "" : $" ({ResultType})");
}
