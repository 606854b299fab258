using Tts.Runtime.Sampling;

namespace Tts.Testing.Oracle;

/// <summary>The options of one <c>sample</c>, <c>extend</c> or <c>speculative</c>: the sampling transform, the token limit (EOS included), stop strings and forbidden substrings.</summary>
public sealed record StepOptions(SamplingOptions Sampling, int MaxTokens, IReadOnlyList<string> Stop, IReadOnlyList<string> Forbid)
{
    public static StepOptions Default { get; } = new(new SamplingOptions(), 256, [], []);
}
