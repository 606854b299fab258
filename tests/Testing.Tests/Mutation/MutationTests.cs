using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using Tts.Testing.Checking;
using Tts.Testing.Oracle;
using Tts.Testing.Tests.Properties;

namespace Tts.Testing.Tests.Mutation;

/// <summary>
/// The mutation check (issue 7, item 7): each planted fault, injected through a test-only implementation of a
/// runtime interface, must make the corresponding check of the suite fail. A fault the suite does not catch is a
/// hole in the suite. These checks must reject; their false-failure rate is not part of the alpha budget (a miss
/// would be a loss of power, at most β = 1e-3 per check by the planning the checks report).
/// </summary>
public sealed class MutationTests
{
    private const string Sampling = """
        model policy: lm

        strategy tempered(prompt: text = "") -> text claims exact {
            population xs = sample policy(prompt, n: 1, temperature: 0.5, max_tokens: 4)
            return sample(xs)
        }
        """;

    private static CheckSettings Settings => new(Runs: 8_000, Seed: 5, Alpha: 1e-6);

    [Fact]
    public void ResamplerOffByOneIndex_FailsProperWeighting_AndUnbiasedness()
    {
        var mutant = new OffByOneResampler();
        Assert.ThrowsAny<Exception>(() => ProperWeightingProperties.AssertProperlyWeighted(mutant, seed: 91));
        Assert.ThrowsAny<Exception>(() => ProperWeightingProperties.AssertUnbiased(mutant, seed: 92));
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void TemperatureAppliedTwice_IsRefutedByTheStrategyCheck()
    {
        using var abc = TestModels.Abc();
        var verdict = StrategyChecker.Check(
            TestModels.Compile(Sampling), "tempered", TestModels.Policy(abc), settings: Settings,
            runtimeModels: new ModelBindings().Bind("policy", MutantModel.TemperatureTwice(abc, 0.5)));
        Assert.True(verdict.Refuted, verdict.Format());
        Assert.True(verdict.Runtime!.Rejected);
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void ForcedEosWithoutCorrection_IsRefutedByTheStrategyCheck()
    {
        using var abc = TestModels.Abc();
        var verdict = StrategyChecker.Check(
            TestModels.Compile(Sampling), "tempered", TestModels.Policy(abc), settings: Settings,
            runtimeModels: new ModelBindings().Bind("policy", MutantModel.EarlyForcedEos(abc, abc.MaxTokens)));
        Assert.True(verdict.Refuted, verdict.Format());
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void TheUnmutatedModel_PassesTheSameCheck()
    {
        using var abc = TestModels.Abc();
        var verdict = StrategyChecker.Check(TestModels.Compile(Sampling), "tempered", TestModels.Policy(abc), settings: Settings with { Alpha = 0.01 });
        Assert.False(verdict.Refuted, verdict.Format());
    }

    /// <summary>
    /// A masked proposal must add log Σ_allowed q to the weight (TokenSampler.SampleMasked's LogAllowedMass), so that
    /// E[w·1{token = t}] is the oracle's smc target p(t)·1[t allowed]. Dropping the correction leaves the renormalized
    /// proposal, which the exact comparison refutes.
    /// </summary>
    [Fact]
    public void MaskedProposalWithoutWeightCorrection_FailsProperWeighting()
    {
        using var abc = TestModels.Abc();
        var options = StepOptions.Default with { Forbid = ["c"], MaxTokens = 1, Sampling = new SamplingOptions(Temperature: 0.7) };
        AssertMaskedStepProperlyWeighted(abc, options, correct: true);
        Assert.ThrowsAny<Exception>(() => AssertMaskedStepProperlyWeighted(abc, options, correct: false));
    }

    private static void AssertMaskedStepProperlyWeighted(Runtime.Models.Tabular.TabularModel model, StepOptions options, bool correct)
    {
        var start = DecodeLaw.Start(model, "");
        var row = model.NextTokenProbabilities(start.Context, 0).ToArray();
        var allowed = model.Vocabulary.Tokens.Select((t, i) => i == model.Vocabulary.EosId || !t.Contains('c', StringComparison.Ordinal)).ToArray();
        var logRow = Array.ConvertAll(row, Math.Log);
        var (_, logAllowedMass) = TokenSampler.SampleMaskedReference(logRow, allowed, options.Sampling, rowKey: 1, step: 0);
        var proposal = DecodeLaw.Step(model, start, options, renormalizeMask: true, cutAtStop: false);
        var target = DecodeLaw.Step(model, start, options, renormalizeMask: false, cutAtStop: false);
        foreach (var (state, probability) in target)
        {
            var proposed = proposal.Single(p => p.State.Text == state.Text && p.State.Ended == state.Ended).Probability;
            var weighted = proposed * Math.Exp(correct ? logAllowedMass : 0.0);
            Assert.Equal(probability, weighted, 1e-12);
        }
    }
}
