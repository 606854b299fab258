using System.Globalization;
using Tts.Testing.Checking;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;

namespace Tts.Testing.Tests.Checking;

/// <summary>
/// The check of a consistent strategy against its target (issue 17, item 3): a pooled chi-square whose null allows a
/// χ distance up to the tolerance. A miss names the tolerance that passes; a deviation whose signs alternate along
/// the order of the texts, which the CDF distance of the former DKW check could not see, is caught.
/// </summary>
public sealed class ConsistencyVerdictTests
{
    [Fact]
    public void A_miss_at_a_finite_particle_count_names_the_tolerance_that_passes_and_that_tolerance_passes()
    {
        var target = Distribution.FromProbabilities(new Dictionary<Outcome, double> { [new Outcome("a")] = 0.5, [new Outcome("b")] = 0.5 });
        var counts = new Dictionary<Outcome, long> { [new Outcome("a")] = 12_000, [new Outcome("b")] = 8_000 };
        var reasons = new List<string>();

        var refuted = StrategyChecker.AgainstTarget(counts, target, new CheckSettings(Tolerance: 0.05), reasons);

        Assert.True(refuted.Rejected);
        var reason = Assert.Single(reasons);
        Assert.Contains("reject the target over 20000 runs: X² = 800, df = 1", reason, StringComparison.Ordinal);
        Assert.Contains("`consistent` reaches the target only as particles grow", reason, StringComparison.Ordinal);
        var suggested = double.Parse(reason[(reason.LastIndexOf("--tolerance ", StringComparison.Ordinal) + 12)..], CultureInfo.InvariantCulture);

        // The law's χ distance is 0.2 (TV 0.1); the suggestion is a lower confidence bound on it, rounded up.
        Assert.InRange(suggested, 0.16, 0.2);
        Assert.False(StrategyChecker.AgainstTarget(counts, target, new CheckSettings(Tolerance: suggested), []).Rejected);
    }

    [Fact]
    public void A_deviation_the_cdf_distance_missed_is_caught_by_the_chi_square()
    {
        // Ten equally likely texts; the runs follow a law that moves 0.04 back and forth between neighbours in the
        // target's order: TV 0.1, but the CDF never strays more than 0.04 from the target's.
        var names = Enumerable.Range(0, 10).Select(i => new Outcome(((char)('a' + i)).ToString())).ToList();
        var target = Distribution.FromProbabilities(names.ToDictionary(o => o, _ => 0.1));
        const long Runs = 20_000;
        var counts = names.Select((o, i) => (o, Count: (long)Math.Round(Runs * (0.1 + (i % 2 == 0 ? 0.02 : -0.02))))).ToDictionary(c => c.o, c => c.Count);
        var settings = new CheckSettings(Tolerance: 0.05);

        // What the former check computed: D = 0.02 over the target's order, within tolerance 0.05 + ε(n, α).
        var order = target.Outcomes;
        var d = Dkw.Distance(order.Select(o => counts[o]).ToList(), order.Select(o => target[o]).ToList());
        Assert.True(d <= settings.Tolerance + Dkw.Epsilon(Runs, settings.Alpha), $"the CDF distance {d} would have caught it");

        var reasons = new List<string>();
        var check = StrategyChecker.AgainstTarget(counts, target, settings, reasons);

        Assert.Equal("chi-square", check.Test);
        Assert.True(check.Rejected, check.Describe());
        Assert.Single(reasons);
    }

    [Fact]
    public void An_output_the_target_excludes_fails_the_check()
    {
        var target = Distribution.FromProbabilities(new Dictionary<Outcome, double> { [new Outcome("a")] = 0.5, [new Outcome("b")] = 0.5 });
        var counts = new Dictionary<Outcome, long> { [new Outcome("a")] = 100, [new Outcome("b")] = 100, [new Outcome("c")] = 1 };
        var reasons = new List<string>();

        Assert.True(StrategyChecker.AgainstTarget(counts, target, new CheckSettings(), reasons).Rejected);
        Assert.Contains("probability 0 under the target", Assert.Single(reasons), StringComparison.Ordinal);
    }
}
