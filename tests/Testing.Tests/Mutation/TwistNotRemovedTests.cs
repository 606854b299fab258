using System.Globalization;
using Tts.Compiler.IR;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Testing.Checking;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Mutation;

/// <summary>
/// The planted fault "a twist not removed" (issue 7, item 7). Twisted smc must divide out the last twist when the block
/// ends, or the population targets γ(x)·exp(ψ(x)) instead of γ(x). The check that must catch it is the suite's own
/// check of a consistent smc strategy: a chi-square of the outputs of independent runs against the oracle's target,
/// whose null allows a χ distance up to the tolerance (<see cref="StrategyChecker.AgainstTarget"/>).
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class TwistNotRemovedTests
{
    private const int Particles = 64;
    private const int Steps = 4;
    private const double TwistScale = 1.0;
    private const int Runs = 3_000;
    private const double Tolerance = 0.05;

    private static readonly string Source = string.Create(CultureInfo.InvariantCulture, $$"""
        model policy: lm

        strategy twisted(prompt: text = "") -> text claims consistent {
            population ps = spawn({{Particles}}, prompt: prompt)
            smc ps with resample = stratified, ess < 0.5, steps <= {{Steps}} {
                extend ps by policy(max_tokens: 1)
                twist ps = weight(count(ps, "b") * {{TwistScale:0.0}})
            }
            return sample(ps)
        }
        """);

    [Fact]
    public void TheHandWrittenProgram_IsTheCompiledOne_BitForBit()
    {
        using var abc = TestModels.Abc();
        var function = Function();
        var models = new ModelBindings().Bind("policy", abc);
        var options = new RunOptions(Seed: 17, Runs: 100);
        var compiled = CompiledStrategy.Of(TestModels.Compile(Source).Optimized!, "twisted").Run(new Dictionary<string, object> { ["prompt"] = "" }, models, options: options).ToList();
        var written = new TwistedSmcRunner(function, Particles, Steps, "b", TwistScale).Run(models, options, forgetTheLastTwist: false);
        Assert.Equal(compiled.Select(r => r.Output), written.Select(r => r.Output));
        var mutant = new TwistedSmcRunner(function, Particles, Steps, "b", TwistScale).Run(models, options, forgetTheLastTwist: true);
        Assert.NotEqual(compiled.Select(r => r.Output), mutant.Select(r => r.Output));
    }

    /// <summary>One registered statistical assertion (the correct runner passes); the mutant's rejection is the power side.</summary>
    [Fact]
    public void ForgettingTheLastTwist_IsCaughtByTheConsistentSmcCheck()
    {
        using var abc = TestModels.Abc();
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var settings = new CheckSettings(Runs: Runs, Seed: TestSeeds.For("twist-not-removed", 29), Alpha: alpha, Tolerance: Tolerance);
        var target = new ExactOracle(TestModels.Compile(Source).Bound, TestModels.Policy(abc)).Evaluate("twisted").Target!;

        // Power: the mutant's law tends to γ(x)·exp(ψ(x)) as N grows; it is far enough from γ that n runs of the pooled
        // chi-square, whose null allows the tolerance, reject it with probability 1 − 1e-3.
        var mutantLimit = Distribution.FromMasses(target.Probabilities.Select(p =>
            new KeyValuePair<Outcome, double>(p.Key, p.Value * Math.Exp(TwistScale * ((string)p.Key.Value!).Count(c => c == 'b')))));
        var gap = mutantLimit.TotalVariation(target);
        var power = WorstCasePower.AgainstAlternative(
            target.Outcomes.Select(o => target[o]).ToList(), target.Outcomes.Select(o => mutantLimit[o]).ToList(), 0.0, Runs, alpha, Tolerance);
        Assert.True(power >= 1 - 1e-3, $"the mutant's limit is only {gap:G3} (TV) from the target: power {power:G3}");

        var runner = new TwistedSmcRunner(Function(), Particles, Steps, "b", TwistScale);
        var models = new ModelBindings().Bind("policy", abc);
        var correct = Check(runner, models, settings, target, forget: false);
        Assert.False(correct.Rejected, correct.Describe());
        var mutant = Check(runner, models, settings, target, forget: true);
        Assert.True(mutant.Rejected, $"the planted fault was not caught: {mutant.Describe()} (mutant limit {gap:G3} from the target)");
    }

    private static RuntimeCheck Check(TwistedSmcRunner runner, ModelBindings models, CheckSettings settings, Distribution target, bool forget)
    {
        var counts = runner.Run(models, new RunOptions(settings.Seed, settings.Runs), forget)
            .GroupBy(r => new Outcome(r.Output))
            .ToDictionary(g => g.Key, g => (long)g.Count());
        return StrategyChecker.AgainstTarget(counts, target, settings, []);
    }

    private static IrFunction Function() => TestModels.Compile(Source).Optimized!.Find("twisted")!;
}
