using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Tts.Execution;
using Tts.Language.Binding.Guarantees;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;
using Tts.Testing.Checking;
using Tts.Testing.Generators;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;
using Xunit.Abstractions;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// Random `consistent` programs (FsCheck: a random tabular model, an smc block with a random factor, temperature and
/// step count, returning sample(xs)) approach their target as particles grow. With one particle smc never resamples
/// and sample(xs) returns the proposal's path, so TV(1) — the distance of the proposal's law to the target — is exact
/// (the oracle enumerates both). At <see cref="ManyParticles"/> the executor runs <see cref="Runs"/> times and two
/// statistical assertions must hold: the upper confidence bound of TV(N) is below TV(1) (the TV bound of
/// <see cref="TotalVariationBound"/>), and the pooled chi-square of the outputs against the target does not reject a χ distance within the tolerance.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class ConsistencyProperties(ITestOutputHelper log)
{
    /// <summary>FsCheck cases checked statistically; each is two assertions of the registry.</summary>
    public const int StatisticalCases = 5;

    public const int ManyParticles = 32;

    public const int Runs = 12_000;

    /// <summary>Cases whose weights move the law less than this at N = 1 are uninformative here (δ, the smallest effect).</summary>
    public const double SmallestEffect = 0.15;

    /// <summary>Outcomes per case at most (steps ≤ 2 over ≤ 4 letters: 21), which keeps the TV bound tight.</summary>
    private const int MostOutcomes = 21;

    private const double Tolerance = 0.05;

    [Fact]
    public void ConsistentPrograms_GetCloserToTheirTarget_AsParticlesGrow()
    {
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var required = TotalVariationBound.RequiredSampleSize(SmallestEffect / 4, MostOutcomes, alpha);
        Assert.True(Runs >= required, $"{Runs} runs cannot bound TV within δ/4 = {SmallestEffect / 4} over {MostOutcomes} outcomes at alpha {alpha:G3}: {required} needed");

        var checkedCases = 0;
        var report = new List<string>();
        var programs = StrategyGenerators.ModelAndStrategy.Select(p =>
            (p.Model, Strategy: p.Strategy with { Selection = SelectionChoice.SmcSample, Steps = Math.Min(p.Strategy.Steps, 2), Particles = ManyParticles }));
        Prop.ForAll(Arb.From(programs, StrategyGenerators.Shrink), pair =>
        {
            if (checkedCases == StatisticalCases)
            {
                return;
            }

            var model = pair.Model.ToModel();
            var source = pair.Strategy.Source;
            var compilation = TestModels.Compile(source);
            Assert.Equal(Guarantee.Consistent, compilation.Bound.FindStrategy("generated")!.Guarantee.Level);
            var target = new ExactOracle(compilation.Bound, TestModels.Policy(model)).Evaluate("generated").Target!;
            var unweighted = TestModels.Compile(UnweightedTwin(source));
            var proposal = new ExactOracle(unweighted.Bound, TestModels.Policy(model)).Evaluate("generated").Target!;
            var tvOne = proposal.TotalVariation(target);
            Assert.True(target.Count <= MostOutcomes, $"{target.Count} outcomes");
            if (tvOne < SmallestEffect)
            {
                return;
            }

            checkedCases++;
            var settings = new CheckSettings(Runs: Runs, Seed: TestSeeds.For("consistency", 303), Alpha: alpha, Tolerance: Tolerance);
            var counts = StrategyChecker.Execute(CompiledStrategy.Of(compilation.Optimized!, "generated"), new Dictionary<string, object> { ["prompt"] = "" },
                new ModelBindings().Bind("policy", model), new FunctionBindings(), settings);
            var outside = counts.Keys.Where(o => target[o] == 0.0).ToList();
            Assert.True(outside.Count == 0, $"outputs outside the target's support: {string.Join(", ", outside)}\n{pair.Model}\n{source}");

            var tvMany = TotalVariationBound.Empirical(counts, target.Probabilities);
            var upper = tvMany + TotalVariationBound.HalfWidth(Runs, Math.Max(2, target.Count), alpha);
            var chi = StrategyChecker.AgainstTarget(counts, target, settings, []);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"TV(1) = {tvOne:F3}, TV({ManyParticles}) ≤ {upper:F3} (estimate {tvMany:F3}), {chi.Describe()}"));
            Assert.True(upper < tvOne, $"TV at N = {ManyParticles} is not shown below TV(1) = {tvOne:G4}: its upper bound is {upper:G4}\n{pair.Model}\n{source}");
            Assert.False(chi.Rejected, $"{chi.Describe()}\n{pair.Model}\n{source}");
        }).Check(ProperWeightingProperties.Replayed(4 * StatisticalCases, 404));

        report.ForEach(log.WriteLine);
        Assert.True(checkedCases == StatisticalCases, $"only {checkedCases} of {4 * StatisticalCases} generated programs had TV(1) ≥ {SmallestEffect}:\n{string.Join("\n", report)}");
    }

    /// <summary>The same program without its factor: its target is the law of one particle's path (the proposal).</summary>
    private static string UnweightedTwin(string source)
    {
        var lines = source.Split('\n');
        var factor = lines.Single(l => l.TrimStart().StartsWith("factor ", StringComparison.Ordinal));
        return source.Replace(factor, factor[..factor.IndexOf("factor", StringComparison.Ordinal)] + "factor xs += weight(0.0)", StringComparison.Ordinal);
    }
}
