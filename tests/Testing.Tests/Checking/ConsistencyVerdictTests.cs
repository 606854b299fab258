using Tts.Testing.Checking;
using Tts.Testing.Oracle;

namespace Tts.Testing.Tests.Checking;

/// <summary>
/// A consistent strategy refuted at its particle count was told only "D = 0.084 > 0.069": the reason now says that
/// consistency is a limit, what was measured, and the tolerance (or more particles) that would pass.
/// </summary>
public sealed class ConsistencyVerdictTests
{
    [Fact]
    public void A_miss_at_a_finite_particle_count_names_the_tolerance_that_passes_and_that_tolerance_passes()
    {
        var target = Distribution.FromProbabilities(new Dictionary<Outcome, double> { [new Outcome("a")] = 0.5, [new Outcome("b")] = 0.5 });
        var counts = new Dictionary<Outcome, long> { [new Outcome("a")] = 12_000, [new Outcome("b")] = 8_000 };
        var reasons = new List<string>();

        var refuted = StrategyChecker.AgainstTarget(counts, target, new CheckSettings(), reasons);

        Assert.True(refuted.Rejected);
        var reason = Assert.Single(reasons);
        Assert.Contains("D = 0.1 from the target's CDF over 20000 runs", reason, StringComparison.Ordinal);
        Assert.Contains("`consistent` reaches the target only as particles grow", reason, StringComparison.Ordinal);
        var suggested = double.Parse(reason[(reason.LastIndexOf("--tolerance ", StringComparison.Ordinal) + 12)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(suggested, 0.08, 0.1);
        Assert.False(StrategyChecker.AgainstTarget(counts, target, new CheckSettings(Tolerance: suggested), []).Rejected);
    }
}
