using Tts.Testing.Checking;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Oracle;

/// <summary>The oracle's smc target γ(x) ∝ p(x)·exp(Σ factors)·Π 1[conditions], checked by metamorphic relations and by hand.</summary>
public sealed class SmcTargetTests
{
    private static string Program(string body, string extendOptions = "max_tokens: 1") => $$"""
        model policy: lm

        strategy s(prompt: text = "") -> text {
            population ps = spawn(4, prompt: prompt)
            smc ps with resample = multinomial, steps <= 6 {
                extend ps by policy({{extendOptions}})
                {{body}}
            }
            return sample(ps)
        }
        """;

    private static OracleResult Target(string source) =>
        new ExactOracle(TestModels.Compile(source).Bound, TestModels.Policy(TestModels.Abc())).Evaluate("s");

    [Fact]
    public void WithoutWeights_TheTargetIsTheModelsTextLaw()
    {
        var result = Target(Program("condition ps: true"));
        var law = TestModels.Abc().ExactTextLaw("");
        Assert.Equal(law.Count, result.Target!.Count);
        Assert.All(law, p => Assert.Equal(p.Value, result.Target.Probability(p.Key), 1e-12));
        Assert.Equal(0.0, result.LogEvidence!.Value, 1e-12);
        Assert.Null(result.Output); // the finite-N law of smc is not enumerated
    }

    [Fact]
    public void Twists_LeaveTheTargetUnchanged()
    {
        var plain = Target(Program("factor ps += weight(count(ps, \"a\"))"));
        var twisted = Target(Program("factor ps += weight(count(ps, \"a\"))\n        twist ps = weight(len(ps) * 3)"));
        Assert.True(plain.Target!.TotalVariation(twisted.Target!) < 1e-15);
        Assert.Equal(plain.LogEvidence!.Value, twisted.LogEvidence!.Value, 1e-12);
    }

    [Fact]
    public void AForbidMask_IsTheConditionThatNoTokenHasTheText()
    {
        var masked = Target(Program("condition ps: true", "max_tokens: 1, forbid: \"c\""));
        var conditioned = Target(Program("condition ps: not contains(ps, \"c\")"));
        Assert.True(masked.Target!.TotalVariation(conditioned.Target!) < 1e-12);
        Assert.Equal(conditioned.LogEvidence!.Value, masked.LogEvidence!.Value, 1e-12);
    }

    [Fact]
    public void Factors_AddUpOverSteps_AsTheLanguageDefines()
    {
        // factor += count(ps, "a") at every step a particle starts alive, the step that draws EOS included:
        // "aa" gets 1 + 2 + 2 = 5 (steps "a", "aa", then EOS), so γ("aa") = p("aa")·e⁵.
        var result = Target(Program("factor ps += weight(count(ps, \"a\"))"));
        var law = TestModels.Abc().ExactTextLaw("");
        var gamma = law.ToDictionary(p => p.Key, p => p.Value * Math.Exp(Enumerable.Range(1, p.Key.Length).Sum(t => p.Key[..t].Count(c => c == 'a')) + p.Key.Count(c => c == 'a')));
        var z = gamma.Values.Sum();
        Assert.Equal(Math.Log(z), result.LogEvidence!.Value, 1e-12);
        Assert.All(gamma, p => Assert.Equal(p.Value / z, result.Target!.Probability(p.Key), 1e-12));
    }

    [Fact]
    public void SpeculativeSampling_EmitsTheTargetLaw_AndAcceptsWithOneMinusTv()
    {
        var random = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            var p = Normalize(Enumerable.Range(0, 4).Select(_ => random.Next(0, 5) + 0.0).ToArray());
            var q = Normalize(Enumerable.Range(0, 4).Select(_ => random.Next(0, 5) + 0.0).ToArray());
            if (p is null || q is null)
            {
                continue;
            }

            var law = SpeculativeLaws.EmittedLaw(p, q);
            Assert.All(Enumerable.Range(0, 4), x => Assert.Equal(p[x], law[x], 1e-12));
            var tv = 0.5 * p.Zip(q, (a, b) => Math.Abs(a - b)).Sum();
            Assert.Equal(1 - tv, SpeculativeLaws.AcceptanceRate(p, q), 1e-12);
        }

        static double[]? Normalize(double[] w) => w.Sum() == 0 ? null : w.Select(x => x / w.Sum()).ToArray();
    }

    /// <summary>The chi-square check (within the default χ tolerance) of a consistent smc strategy run by the executor against the oracle's target.</summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void SmcStrategy_RunsCloseToItsTarget()
    {
        var source = Program("factor ps += weight(count(ps, \"a\"))").Replace("spawn(4", "spawn(64", StringComparison.Ordinal);
        var verdict = StrategyChecker.Check(TestModels.Compile(source), "s", TestModels.Policy(TestModels.Abc()), settings: new CheckSettings(Runs: 4000, Seed: TestSeeds.For("smc-target", 3), Alpha: AlphaBudget.PerAssertion(StatisticalAssertions.Count)));
        Assert.NotNull(verdict.Runtime);
        Assert.False(verdict.Refuted, verdict.Format());
    }
}
