using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>
/// `tts tune --adaptive`: per-difficulty selection and adaptive allocation across problems, both measured on the
/// held-out split against fixed strategies at equal or fewer tokens, with paired 95% intervals. Both read a pool of
/// independent single samples per problem (the pool strategy run with seeds Seed, Seed + 1, ...), drawn through
/// <see cref="EvalSession.Run"/> like every other run.
/// </summary>
internal sealed class TuneAdaptive(TuneSplits splits, Func<int, string, bool> isCorrect)
{
    public static readonly int[] Probes = [2, 3, 4];

    public List<AllocationRow> Allocation { get; } = [];

    public RoutingResult? Routing { get; private set; }

    public static IReadOnlyList<IReadOnlyList<PoolSample>> DrawPool(EvalSession session, EvalStrategy strategy, int size, EvalRunOptions options, int problems)
    {
        var pool = Enumerable.Range(0, problems).Select(_ => new List<PoolSample>()).ToList();
        for (var k = 0; k < size; k++)
        {
            foreach (var outcome in session.Run(strategy, new Dictionary<string, string>(), 0, problems, options with { Seed = options.Seed + (ulong)k }))
            {
                pool[outcome.Problem].Add(new PoolSample(outcome.Answer, outcome.Tokens));
            }
        }

        return pool;
    }

    /// <summary>Uniform majority votes over k = 1..K samples against the adaptive allocation of the same tokens, on held-out problems.</summary>
    public void CompareAllocations(IReadOnlyList<IReadOnlyList<PoolSample>> heldOutPool)
    {
        for (var k = 2; k <= heldOutPool.Min(p => p.Count); k++)
        {
            var uniform = Enumerable.Repeat(k, heldOutPool.Count).ToArray();
            var budget = AdaptiveAllocation.Tokens(heldOutPool, uniform);
            var adaptive = AdaptiveAllocation.Adaptive(heldOutPool, budget, initial: 2);
            var u = Votes(heldOutPool, uniform);
            var a = Votes(heldOutPool, adaptive);
            Allocation.Add(new AllocationRow(k, OutcomeSummary.Of(u), OutcomeSummary.Of(a), PairedDifference.Of(a, u), adaptive.Max()));
        }
    }

    /// <summary>
    /// Learns the rule on the development split — the probe size and fallback whose accuracy gains most over the best
    /// searched candidate at no more tokens — then measures it on the held-out split against the best frontier
    /// candidate there at no more tokens.
    /// </summary>
    public void LearnRouting(
        IReadOnlyList<IReadOnlyList<PoolSample>> devPool, IReadOnlyList<IReadOnlyList<PoolSample>> heldOutPool,
        IReadOnlyList<SearchEntry<TuneCandidate>> finished, IReadOnlyList<HeldOutResult> heldOut, Func<TuneCandidate, IReadOnlyList<ProblemOutcome>> runHeldOut)
    {
        var best = (Rule: (RoutingRule?)null, Gain: double.NegativeInfinity, Dev: (OutcomeSummary?)null);
        foreach (var probe in Probes.Where(p => p <= devPool.Min(s => s.Count)))
        {
            foreach (var fallback in finished)
            {
                var rule = new RoutingRule(probe, fallback.Candidate);
                var dev = OutcomeSummary.Of(rule.Apply(devPool, fallback.Outcomes, isCorrect));
                var fixedAccuracy = finished.Where(f => f.Summary.Tokens <= dev.Tokens).Select(f => f.Summary.Accuracy).DefaultIfEmpty(0).Max();
                var gain = dev.Accuracy - fixedAccuracy;
                if (gain > best.Gain || (gain == best.Gain && dev.Tokens < best.Dev!.Tokens))
                {
                    best = (rule, gain, dev);
                }
            }
        }

        if (best.Rule is not { } chosen)
        {
            return;
        }

        var fallbackHeldOut = heldOut.FirstOrDefault(h => ReferenceEquals(h.Entry.Candidate, chosen.Fallback))?.Outcomes ?? runHeldOut(chosen.Fallback);
        var ruleHeldOut = chosen.Apply(heldOutPool, fallbackHeldOut, (i, answer) => isCorrect(splits.Dev + i, answer));
        var summary = OutcomeSummary.Of(ruleHeldOut);
        var comparator = heldOut.Where(h => h.Summary.Tokens <= summary.Tokens).MaxBy(h => (h.Summary.Correct, -h.Summary.Tokens));
        var dearer = heldOut.Where(h => h.Summary.Tokens > summary.Tokens).MinBy(h => h.Summary.Tokens);
        Routing = new RoutingResult(
            chosen, best.Dev!, best.Gain, summary, chosen.EasyShare(heldOutPool), comparator,
            comparator is null ? null : PairedDifference.Of(ruleHeldOut, comparator.Outcomes), dearer);
    }

    public void WriteTables(IAnsiConsole console)
    {
        var allocation = new Table { Title = new TableTitle($"adaptive allocation vs uniform majority vote on {splits.HeldOut} held-out problems (same draws, adaptive within the uniform tokens)") };
        foreach (var column in new[] { "samples / problem", "uniform", "tokens", "adaptive", "tokens", "adaptive - uniform (95%)", "most to one problem" })
        {
            allocation.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var row in Allocation)
        {
            allocation.AddRow(
                row.Samples.ToString(CultureInfo.InvariantCulture), Accuracy(row.Uniform), row.Uniform.Tokens.ToString("F0", CultureInfo.InvariantCulture),
                Accuracy(row.Adaptive), row.Adaptive.Tokens.ToString("F0", CultureInfo.InvariantCulture), Difference(row.Difference), row.MostSamples.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(allocation);
        if (Routing is { } r)
        {
            console.MarkupLine(Markup.Escape(
                $"per-difficulty rule (learned on development, {Percent(r.Dev.Accuracy)} at {r.Dev.Tokens:F0} tokens, {Signed(r.DevGain)} over the best candidate at no more tokens): {r.Rule.Label}"));
            console.MarkupLine(Markup.Escape(
                $"  held-out: {Accuracy(r.HeldOut)} at {r.HeldOut.Tokens:F0} tokens per problem; {Percent(r.EasyShare)} judged easy; "
                + (r.Comparator is { } c
                    ? $"best frontier candidate at no more tokens: {c.Entry.Candidate.Label}, {Accuracy(c.Summary)} at {c.Summary.Tokens:F0}; rule - it: {Difference(r.Difference!)}"
                    : "no frontier candidate is as cheap")
                + (r.Dearer is { } d ? $"; next dearer: {d.Entry.Candidate.Label}, {Accuracy(d.Summary)} at {d.Summary.Tokens:F0}" : "")));
        }
    }

    public void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("allocation");
        foreach (var row in Allocation)
        {
            json.WriteStartObject();
            json.WriteNumber("samples_per_problem", row.Samples);
            Summary(json, "uniform", row.Uniform);
            Summary(json, "adaptive", row.Adaptive);
            Paired(json, "adaptive_minus_uniform", row.Difference);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (Routing is { } r)
        {
            json.WriteStartObject("routing");
            json.WriteNumber("probe_samples", r.Rule.Probe);
            json.WriteString("fallback", r.Rule.Fallback.Label);
            Summary(json, "dev", r.Dev);
            json.WriteNumber("dev_gain_over_best_fixed", r.DevGain);
            Summary(json, "held_out", r.HeldOut);
            json.WriteNumber("held_out_easy_share", r.EasyShare);
            if (r.Comparator is { } c)
            {
                json.WriteString("best_fixed_at_no_more_tokens", c.Entry.Candidate.Label);
                Summary(json, "best_fixed_held_out", c.Summary);
                Paired(json, "rule_minus_best_fixed", r.Difference!);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private List<ProblemOutcome> Votes(IReadOnlyList<IReadOnlyList<PoolSample>> pool, IReadOnlyList<int> used) =>
        pool.Select((samples, i) =>
        {
            var answer = AdaptiveAllocation.Vote(samples.Take(used[i]));
            return new ProblemOutcome(splits.Dev + i, isCorrect(splits.Dev + i, answer), answer, samples.Take(used[i]).Sum(s => s.Tokens), 0);
        }).ToList();

    private static void Summary(Utf8JsonWriter json, string name, OutcomeSummary s)
    {
        json.WriteStartObject(name);
        json.WriteNumber("accuracy", s.Accuracy);
        json.WriteNumber("ci95_low", s.Low);
        json.WriteNumber("ci95_high", s.High);
        json.WriteNumber("tokens_per_problem", s.Tokens);
        json.WriteEndObject();
    }

    private static void Paired(Utf8JsonWriter json, string name, PairedDifference d)
    {
        json.WriteStartObject(name);
        json.WriteNumber("difference", d.Difference);
        json.WriteNumber("ci95_low", d.Low);
        json.WriteNumber("ci95_high", d.High);
        json.WriteNumber("right_only_first", d.OnlyFirst);
        json.WriteNumber("right_only_second", d.OnlySecond);
        json.WriteEndObject();
    }

    private static string Accuracy(OutcomeSummary s) => $"{Percent(s.Accuracy)} ({Percent(s.Low)} – {Percent(s.High)})";

    private static string Difference(PairedDifference d) => $"{Signed(d.Difference)} ({Signed(d.Low)} – {Signed(d.High)})";

    private static string Signed(double value) => (value >= 0 ? "+" : "") + (100 * value).ToString("F1", CultureInfo.InvariantCulture) + " pt";

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";
}

internal sealed record AllocationRow(int Samples, OutcomeSummary Uniform, OutcomeSummary Adaptive, PairedDifference Difference, int MostSamples);

internal sealed record RoutingResult(
    RoutingRule Rule, OutcomeSummary Dev, double DevGain, OutcomeSummary HeldOut, double EasyShare, HeldOutResult? Comparator, PairedDifference? Difference, HeldOutResult? Dearer);
