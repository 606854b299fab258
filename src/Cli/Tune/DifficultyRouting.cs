using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>
/// Per-difficulty selection: draw <c>Probe</c> cheap samples; when they all state the same answer the problem is
/// judged easy and that answer is returned; otherwise the problem is judged hard and <c>Fallback</c> runs (its
/// tokens added to the probe's). The agreement of a few first samples is the cheap difficulty signal.
/// </summary>
internal sealed record RoutingRule(int Probe, TuneCandidate Fallback)
{
    public string Label => $"{Probe} samples agree ? their answer : {Fallback.Label}";

    /// <summary>The rule's outcome on each problem, from that problem's pool samples and the fallback's outcome there.</summary>
    public IReadOnlyList<ProblemOutcome> Apply(
        IReadOnlyList<IReadOnlyList<PoolSample>> pool, IReadOnlyList<ProblemOutcome> fallback, Func<int, string, bool> isCorrect)
    {
        return pool.Select((samples, i) =>
        {
            var probe = samples.Take(Probe).ToList();
            var tokens = probe.Sum(s => s.Tokens);
            var agreed = probe[0].Answer.Length > 0 && probe.All(s => s.Answer == probe[0].Answer);
            return agreed
                ? new ProblemOutcome(fallback[i].Problem, isCorrect(i, probe[0].Answer), probe[0].Answer, tokens, 0)
                : fallback[i] with { Tokens = tokens + fallback[i].Tokens };
        }).ToList();
    }

    /// <summary>The share of problems the probe judges easy.</summary>
    public double EasyShare(IReadOnlyList<IReadOnlyList<PoolSample>> pool) =>
        pool.Count(samples => samples.Take(Probe).All(s => s.Answer.Length > 0 && s.Answer == samples[0].Answer)) / (double)pool.Count;
}

/// <summary>A paired comparison of two methods on the same problems: the accuracy difference with a 95% interval.</summary>
internal sealed record PairedDifference(double Difference, double Low, double High, int OnlyFirst, int OnlySecond)
{
    /// <summary>
    /// Difference of paired proportions (first minus second) with the normal interval of its discordant pairs:
    /// var = (b + c - (b - c)^2 / n) / n^2, b = right only by the first, c = right only by the second.
    /// </summary>
    public static PairedDifference Of(IReadOnlyList<ProblemOutcome> first, IReadOnlyList<ProblemOutcome> second)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(first.Count, second.Count);
        var n = (double)first.Count;
        var b = first.Zip(second).Count(p => p.First.Correct && !p.Second.Correct);
        var c = first.Zip(second).Count(p => !p.First.Correct && p.Second.Correct);
        var difference = (b - c) / n;
        var half = WilsonInterval.Z95 * Math.Sqrt(Math.Max(0, b + c - (b - c) * (b - c) / n)) / n;
        return new PairedDifference(difference, difference - half, difference + half, b, c);
    }
}
