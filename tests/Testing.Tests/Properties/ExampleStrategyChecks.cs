using Tts.Runtime.Rewards;
using Tts.Testing.Checking;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// The strategy library on the abc model: each example's guarantee is confirmed exactly by the oracle, and the
/// executor's outputs follow the oracle's exact output law (chi-square, one registered statistical assertion each,
/// with the run count large enough to catch every 5% total-variation deviation, in any direction).
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class ExampleStrategyChecks
{
    private const double SmallestDeviation = 0.05;

    private static CheckSettings Settings(string test) => new(
        Runs: 20_000,
        Seed: TestSeeds.For(test, 1234),
        Alpha: AlphaBudget.PerAssertion(StatisticalAssertions.Count),
        SmallestDeviation: SmallestDeviation);

    public static TheoryData<string, string, string> Examples => new()
    {
        { "sampling.tts", "sample_once", "exact" },
        { "best_of_n.tts", "best_of_n", "heuristic" },
        { "majority_vote.tts", "majority_vote", "heuristic" },
        { "rejection_sampling.tts", "reject_c", "exact" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_AgreesWithTheOracle(string file, string strategy, string guarantee)
    {
        var compilation = TestModels.CompileExample(file);
        var arguments = strategy == "majority_vote" ? new Dictionary<string, object> { ["n"] = 5L } : null;
        var verdict = StrategyChecker.Check(compilation, strategy, TestModels.Policy(TestModels.Abc()), new FunctionBindings(), arguments, Settings(strategy));

        Assert.Equal(guarantee, verdict.Claim.ToString().ToLowerInvariant());
        Assert.False(verdict.Refuted, verdict.Format());
        Assert.NotNull(verdict.Runtime);
        Assert.Equal("chi-square", verdict.Runtime!.Test);
        Assert.True(verdict.Runtime.SmallestDetectable <= SmallestDeviation, verdict.Format());
        if (guarantee == "exact")
        {
            Assert.Equal(0.0, verdict.ClaimDistance!.Value, 1e-9);
        }
        else
        {
            Assert.True(verdict.ClaimDistance > 0.05, $"a heuristic example whose output follows its particles' law: {verdict.Format()}");
        }
    }
}
