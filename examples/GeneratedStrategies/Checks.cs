using Tts.Runtime.Rewards.Attributes;

namespace GeneratedStrategies;

/// <summary>
/// The verifier checked.tts declares, as an instance method: the generated run methods of strategies that use it take
/// a <see cref="Checks"/>, so the check can carry settings (or a model, a database connection...).
/// </summary>
public sealed class Checks(int minimumLength)
{
    /// <summary><c>verifier balanced</c>: at least <c>minimumLength</c> letters and no c.</summary>
    [Verifier("balanced")]
    public bool Balanced(string text) => text.Length >= minimumLength && !text.Contains('c', StringComparison.Ordinal);
}
