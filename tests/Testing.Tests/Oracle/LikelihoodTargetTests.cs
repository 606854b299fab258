using Tts.Runtime.Models.Tabular;
using Tts.Testing.Checking;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Oracle;

/// <summary>
/// Model likelihoods as weights: importance sampling whose proposal is one tabular model and whose target is another
/// has the target model's law as its target (exactly, by enumeration), and the executor's runs agree with it.
/// </summary>
public sealed class LikelihoodTargetTests
{
    private static TabularModel Proposal() => TabularModel.Load(RepoPaths.Combine("examples", "models", "abc_proposal.json"));

    private static Dictionary<string, TabularModel> Models() => new(StringComparer.Ordinal) { ["target"] = TestModels.Abc(), ["proposal"] = Proposal() };

    [Fact]
    public void Importance_sampling_from_a_proposal_model_targets_the_target_model()
    {
        var result = new ExactOracle(TestModels.CompileExample("importance_sampling.tts").Bound, Models())
            .Evaluate("importance_sampling", new Dictionary<string, object> { ["question"] = "" });
        var law = TestModels.Abc().ExactTextLaw("");
        Assert.Equal(law.Count, result.Target!.Count);
        Assert.All(law, p => Assert.Equal(p.Value, result.Target.Probability(p.Key), 12));

        // Σ_x q(x) · p(x)/q(x) = 1: the proposal covers the target's support.
        Assert.Equal(0.0, result.LogEvidence!.Value, 12);
    }

    [Fact]
    public void Scoring_by_the_proposal_itself_leaves_the_proposal_law()
    {
        var source = File.ReadAllText(RepoPaths.Combine("examples", "strategies", "importance_sampling.tts"))
            .Replace("logp(target, ps", "logp(proposal, ps", StringComparison.Ordinal);
        var result = new ExactOracle(TestModels.Compile(source).Bound, Models()).Evaluate("importance_sampling", new Dictionary<string, object> { ["question"] = "b" });
        var law = Proposal().ExactTextLaw("b");
        Assert.All(law, p => Assert.Equal(p.Value, result.Target!.Probability(p.Key), 12));
    }

    [Fact]
    public void A_generative_verifier_weights_each_text_by_the_judges_probability_of_yes()
    {
        var models = new Dictionary<string, TabularModel>(StringComparer.Ordinal) { ["policy"] = TestModels.Abc(), ["judge"] = Proposal() };
        var result = new ExactOracle(TestModels.CompileExample("generative_verifier.tts").Bound, models)
            .Evaluate("judged", new Dictionary<string, object> { ["question"] = "", ["verify"] = "", ["yes"] = "b" });

        // γ(x) ∝ p(x) · P_judge("b" | x), by hand from the two tables (order 1: the judge reads x's last token).
        var judge = Proposal();
        var gamma = TestModels.Abc().ExactTextLaw("").ToDictionary(
            p => p.Key,
            p => p.Value * judge.NextTokenProbabilities(judge.Encode(p.Key), 0)[judge.Encode("b")[0]]);
        var z = gamma.Values.Sum();
        Assert.True(gamma.Values.Zip(TestModels.Abc().ExactTextLaw("").Values).Select(g => g.First / g.Second).Distinct().Count() > 1, "the judge must not be constant");
        Assert.All(gamma, p => Assert.Equal(p.Value / z, result.Target!.Probability(p.Key), 12));
        Assert.Equal(Math.Log(z), result.LogEvidence!.Value, 12);
    }

    /// <summary>The executor's importance sampler at N = 64 against the target model's law (chi-square within the tolerance, consistent).</summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void Importance_sampling_runs_close_to_the_target_model()
    {
        var verdict = StrategyChecker.Check(TestModels.CompileExample("importance_sampling.tts"), "importance_sampling", Models(),
            arguments: new Dictionary<string, object> { ["question"] = "", ["n"] = 64L },
            settings: new CheckSettings(Runs: 4000, Seed: TestSeeds.For("importance-sampling", 1), Alpha: AlphaBudget.PerAssertion(StatisticalAssertions.Count)));
        Assert.NotNull(verdict.Runtime);
        Assert.Equal("chi-square", verdict.Runtime!.Test);
        Assert.False(verdict.Refuted, verdict.Format());
    }
}

/// <summary>The adaptive vote's exact law is the full majority vote's (it stops only when the full vote is decided).</summary>
public sealed class AdaptiveVoteLawTests
{
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void The_adaptive_vote_follows_the_majority_vote_law_of_all_n_draws()
    {
        const string source = """
            model policy: lm

            strategy s(n: int = 5) -> text {
                return adaptive_vote("", from: policy, n: n, wave: 2, max_tokens: 2)
            }
            """;
        var compilation = TestModels.Compile(source);
        var result = new ExactOracle(compilation.Bound, TestModels.Policy(TestModels.Abc())).Evaluate("s");
        var draws = DecodeLaw.SampleText(TestModels.Abc(), "", new StepOptions(new Tts.Runtime.Sampling.SamplingOptions(1.0, 0, 1.0, 0.0), 2, [], []));
        var vote = SelectionLaws.Vote(draws, o => o, 5);
        Assert.True(vote.TotalVariation(result.Output!) < 1e-12);

        // The runtime against that law (chi-square), through tts test's checker.
        var verdict = StrategyChecker.Check(compilation, "s", TestModels.Policy(TestModels.Abc()),
            settings: new CheckSettings(Runs: 4000, Seed: TestSeeds.For("adaptive-vote", 1), Alpha: AlphaBudget.PerAssertion(StatisticalAssertions.Count)));
        Assert.Equal("chi-square", verdict.Runtime!.Test);
        Assert.False(verdict.Refuted, verdict.Format());
    }
}
