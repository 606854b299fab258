using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>
/// Accuracy (95% Wilson interval) and mean tokens and reward calls per problem (tokens with a 95% normal interval of
/// the mean) of a set of per-problem outcomes.
/// </summary>
internal sealed record OutcomeSummary(int Problems, int Correct, double Low, double High, double Tokens, double TokensHalfWidth, double RewardCalls)
{
    public double Accuracy => (double)Correct / Problems;

    public static OutcomeSummary Of(IReadOnlyList<ProblemOutcome> outcomes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(outcomes.Count);
        var n = outcomes.Count;
        var correct = outcomes.Count(o => o.Correct);
        var (low, high) = WilsonInterval.Of(correct, n);
        var mean = outcomes.Average(o => (double)o.Tokens);
        var variance = n > 1 ? outcomes.Sum(o => (o.Tokens - mean) * (o.Tokens - mean)) / (n - 1) : 0;
        return new OutcomeSummary(n, correct, low, high, mean, WilsonInterval.Z95 * Math.Sqrt(variance / n), outcomes.Average(o => (double)o.RewardCalls));
    }
}
