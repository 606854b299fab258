using FsCheck;
using FsCheck.Fluent;
using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;
using Tts.Testing.Checking;
using Tts.Testing.Generators;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// Random well-typed strategies (through the real front end) over random tabular models behave as their inferred
/// guarantee says: exactly, an `exact` label's output law equals its target; statistically, the executor follows the
/// oracle's exact output law whatever the label.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class RandomProgramProperties
{
    /// <summary>FsCheck cases of the statistical property; each is one assertion of the registry.</summary>
    public const int StatisticalCases = 6;

    [Fact]
    public void ExactLabels_AreNeverStrongerThanTheReferenceSemantics()
    {
        var exactSeen = 0;
        var heuristicSeen = 0;
        var gibbsSeen = 0;
        Prop.ForAll(StrategyGenerators.Arbitrary, pair =>
        {
            var compilation = TestModels.Compile(pair.Strategy.Source);
            var strategy = compilation.Bound.FindStrategy("generated")!;
            OracleResult result;
            try
            {
                result = new ExactOracle(compilation.Bound, TestModels.Policy(pair.Model.ToModel())).Evaluate("generated");
            }
            catch (OracleException e) when (e.Message.Contains("ill-conditioned", StringComparison.Ordinal) || e.Message.Contains("no mass", StringComparison.Ordinal))
            {
                return;
            }

            if (strategy.Guarantee.Level == Guarantee.Exact)
            {
                exactSeen++;
                // No claimed part: a rejection sampler none of whose draws can pass (it always falls back).
                var distance = result.ClaimedPart is null ? 0.0 : result.ClaimedPart.TotalVariation(result.Target!);
                Assert.True(distance <= StrategyChecker.ExactTolerance, $"labelled exact, but the output law is {distance} from the target");
            }
            else
            {
                heuristicSeen++;
            }

            if (pair.Strategy.Selection == SelectionChoice.GibbsSample)
            {
                // Particle Gibbs is an MCMC kernel over sweeps of conditional smc: consistent, with the target of its block.
                gibbsSeen++;
                Assert.Equal(Guarantee.Consistent, strategy.Guarantee.Level);
                Assert.NotNull(result.Target);
            }

            if (pair.Strategy.Selection == SelectionChoice.SmcSample)
            {
                Assert.NotNull(result.Target);
                Assert.True(double.IsFinite(result.LogEvidence!.Value));
            }
        }).Check(ProperWeightingProperties.Replayed(150, 101));
        Assert.True(exactSeen > 20 && heuristicSeen > 20 && gibbsSeen > 0, $"{exactSeen} exact, {heuristicSeen} other and {gibbsSeen} particle Gibbs programs");
    }

    [Fact]
    public void TheExecutor_FollowsTheOraclesOutputLaw_OnRandomPrograms()
    {
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var checkedCases = 0;
        var runnable = StrategyGenerators.ModelAndStrategy.Where(p => p.Strategy.Selection != SelectionChoice.SmcSample);
        Prop.ForAll(Arb.From(runnable, StrategyGenerators.Shrink), pair =>
        {
            var compilation = TestModels.Compile(pair.Strategy.Source);
            Verdict verdict;
            try
            {
                verdict = StrategyChecker.Check(compilation, "generated", TestModels.Policy(pair.Model.ToModel()),
                    settings: new CheckSettings(Runs: 6_000, Seed: TestSeeds.For("random-programs", 77), Alpha: alpha));
            }
            catch (OracleException e) when (e.Message.Contains("ill-conditioned", StringComparison.Ordinal) || e.Message.Contains("too few", StringComparison.Ordinal))
            {
                return;
            }

            checkedCases++;
            Assert.False(verdict.Refuted, $"{pair.Model}\n{pair.Strategy}\n{verdict.Format()}");
        }).Check(ProperWeightingProperties.Replayed(StatisticalCases, 102));
        Assert.True(checkedCases >= StatisticalCases - 2, $"only {checkedCases} of {StatisticalCases} cases were checked");
    }

    /// <summary>
    /// -O1 ≡ -O0 on the oracle's generator (decoding options: temperature 0, top-k, top-p, stop, and smc): the executor's
    /// outputs are bit-identical for the same seed. Runtime.Tests/Emit covers its own generator across both back ends;
    /// this one adds the decoding options that generator leaves at their defaults.
    /// </summary>
    [Fact]
    public void OptimizedAndUnoptimized_GiveTheSameOutputs_OnRandomPrograms()
    {
        Prop.ForAll(StrategyGenerators.Arbitrary, pair =>
        {
            var model = new ModelBindings().Bind("policy", pair.Model.ToModel());
            var outputs = new[] { OptimizationLevel.O0, OptimizationLevel.O1 }.Select(level =>
            {
                var compilation = Compilation.Compile(SourceText.From(pair.Strategy.Source, "generated.tts"), level);
                Assert.False(compilation.HasErrors);
                return CompiledStrategy.Of(compilation.Optimized!, "generated").Run(new Dictionary<string, object> { ["prompt"] = "" }, model, new FunctionBindings(), new RunOptions(41, Runs: 64))
                    .Select(r => new Tts.Testing.Oracle.Outcome(r.Output is object[] texts ? string.Join("|", texts) : r.Output).ToString())
                    .ToList();
            }).ToList();
            Assert.Equal(outputs[0], outputs[1]);
        }).Check(ProperWeightingProperties.Replayed(60, 103));
    }
}
