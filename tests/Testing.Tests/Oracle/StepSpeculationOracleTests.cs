using Tts.Runtime.Models.Tabular;
using Tts.Testing.Oracle;
using Tts.TestSupport;

namespace Tts.Testing.Tests.Oracle;

/// <summary>
/// Two-model step speculation in the oracle: the likelihood-ratio judge under a bound M ≥ sup p_large/p_small gives the
/// large model's law exactly; another judge gives a mixture of the two models.
/// </summary>
public sealed class StepSpeculationOracleTests
{
    private static TabularModel Small() => TabularModel.Load(RepoPaths.Combine("examples", "models", "abc_proposal.json"));

    private static Dictionary<string, TabularModel> Models() => new(StringComparer.Ordinal) { ["large"] = TestModels.Abc(), ["small"] = Small() };

    private static OracleResult Evaluate(string strategy, Dictionary<string, object> arguments) =>
        new ExactOracle(TestModels.CompileExample("step_speculation.tts").Bound, Models()).Evaluate(strategy, arguments);

    [Fact]
    public void The_likelihood_ratio_judge_under_its_bound_gives_the_large_models_law()
    {
        // Each step runs to EOS here (no newline in the abc vocabulary): a step is a whole text, and the largest ratio
        // p_abc(x) / p_proposal(x) is that of "bbbb", 0.0648 / 0.00390625 ≈ 16.6 < e^4.
        // The law of one particle (the population's target; each particle is an i.i.d. draw of it).
        var result = Evaluate("step_speculation_exact", new Dictionary<string, object> { ["question"] = "" });
        var law = TestModels.Abc().ExactTextLaw("");
        Assert.Equal(law.Count, result.Target!.Count);
        Assert.All(law, p => Assert.Equal(p.Value, result.Target.Probability(p.Key), 12));

        // Drafts alone would follow the small model, which differs from the large one.
        var small = Small().ExactTextLaw("");
        Assert.True(law.Sum(p => Math.Abs(p.Value - small.GetValueOrDefault(p.Key))) > 0.1);
    }

    [Fact]
    public void A_bound_below_the_likelihood_ratio_is_refused()
    {
        var error = Assert.Throws<OracleException>(() => Evaluate("step_speculation_exact", new Dictionary<string, object> { ["question"] = "", ["log_m"] = 2.0 }));
        Assert.Contains("acceptance probability of reextend", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reward_judge_mixes_the_two_models()
    {
        // prm = 1 for texts with a b, else 0: a draft without b is redrawn by the large model, once.
        var source = File.ReadAllText(RepoPaths.Combine("examples", "strategies", "step_speculation.tts"))
            .Replace("return vote(ps, key: answer(ps))\n}\n\n// The likelihood-ratio", "return sample(ps)\n}\n\n// The likelihood-ratio", StringComparison.Ordinal)
            .Replace("real(prm(ps)) < threshold", "not contains(ps, \"b\")", StringComparison.Ordinal);
        var result = new ExactOracle(TestModels.Compile(source).Bound, Models()).Evaluate("step_speculation", new Dictionary<string, object> { ["question"] = "" });
        var large = TestModels.Abc().ExactTextLaw("");
        var small = Small().ExactTextLaw("");
        var withoutB = small.Where(p => !p.Key.Contains('b', StringComparison.Ordinal)).Sum(p => p.Value);
        foreach (var (text, p) in large)
        {
            // One step (each runs to EOS): a draft with a b is kept; the others' mass is redrawn from the large model.
            var expected = (text.Contains('b', StringComparison.Ordinal) ? small.GetValueOrDefault(text) : 0.0) + withoutB * p;
            Assert.Equal(expected, result.Target!.Probability(text), 12);
        }
    }
}
