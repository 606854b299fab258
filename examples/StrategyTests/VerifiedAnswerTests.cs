using FsCheck;
using FsCheck.Fluent;
using Tts.Compiler.Driver;
using Tts.Runtime.Rewards;
using Tts.Testing.Checking;
using Tts.Testing.Generators;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;

namespace Tts.Examples.StrategyTests;

/// <summary>
/// How a user tests a strategy with Tts.Testing: bind the verifier as C#, check the claim against the exact oracle
/// on random small models (FsCheck, shrinking to a small counterexample), and check the runtime's outputs with a
/// stated false-failure rate and power.
/// </summary>
public sealed class VerifiedAnswerTests
{
    /// <summary>Two statistical assertions in this project share the family budget of 1e-6.</summary>
    private static readonly double Alpha = AlphaBudget.PerAssertion(2);

    private static readonly Compilation Program = Compilation.Compile(Path.Combine(SourceFolder(), "verified_answer.tts"));

    /// <summary>The strategy is read from beside this file (not copied to the output, where other tools would find a stale copy).</summary>
    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static FunctionBindings Verifier() =>
        new FunctionBindings().BindVerifier("ends_in_b", DelegateVerifier.PerText(text => text.EndsWith('b')));

    [Fact]
    public void TheClaim_HoldsExactly_OnRandomModels()
    {
        Assert.False(Program.HasErrors);
        Prop.ForAll(TabularModelGenerators.Arbitrary, spec =>
        {
            var models = new Dictionary<string, Runtime.Models.Tabular.TabularModel> { ["policy"] = spec.ToModel() };
            var result = new ExactOracle(Program.Bound, models, Verifier()).Evaluate("verified_answer");
            if (result.ClaimedPart is null)
            {
                return; // no text can end in "b" under this model: the strategy always falls back
            }

            Assert.True(result.ClaimedPart.TotalVariation(result.Target!) < 1e-9);
            Assert.All(result.ClaimedPart.Probabilities.Keys, o => Assert.EndsWith("b", (string)o.Value!, StringComparison.Ordinal));
        }).Check(Config.QuickThrowOnFailure.WithReplay(7, 0x9E3779B97F4A7C15UL).WithMaxTest(100).WithQuietOnSuccess(true));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(1L)]
    [InlineData(4L)]
    public void TheRuntime_FollowsTheExactLaw(long tries)
    {
        var models = new Dictionary<string, Runtime.Models.Tabular.TabularModel> { ["policy"] = Runtime.Models.Tabular.TabularModel.Parse(SmallModel, "small.json") };
        var verdict = StrategyChecker.Check(Program, "verified_answer", models, Verifier(), new Dictionary<string, object> { ["tries"] = tries },
            // 0.05: what 10,000 runs catch in every direction (the worst case over the cells), not only the best one.
            new CheckSettings(Runs: 10_000, Seed: TestSeeds.For("verified_answer", 42), Alpha: Alpha, SmallestDeviation: 0.05));
        Assert.False(verdict.Refuted, verdict.Format());
    }

    private const string SmallModel = """
        {"format": "tts-tabular-lm/1", "vocab": ["a", "b", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 3,
         "probs": {"": [0.5, 0.3, 0.2], "a": [0.3, 0.3, 0.4], "b": [0.4, 0.2, 0.4]}}
        """;
}
