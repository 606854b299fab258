using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport;

namespace Tts.Runtime.Tests.Execution;

/// <summary><c>logp</c> at run time: the scores equal the tabular models' exact laws, token for token.</summary>
public sealed class LikelihoodTests
{
    private static TabularModel Abc() => TabularModel.Parse(TabularModels.DesignExample, "abc.json");

    private static TabularModel Proposal() => TabularModel.Load(RepoPaths.Combine("examples", "models", "abc_proposal.json"));

    private static OptionValues Plain(StrategyRuntime runtime) => new(
        runtime.Broadcast(1.0), runtime.Broadcast(0L), runtime.Broadcast(1.0), runtime.Broadcast(0.0), runtime.Broadcast(64L),
        runtime.Broadcast(Array.Empty<object>()), runtime.Broadcast(Array.Empty<object>()));

    [Theory]
    [InlineData(1UL)]
    [InlineData(7UL)]
    public void Particles_are_scored_by_their_own_tokens_eos_included(ulong seed)
    {
        using var policy = Abc();
        using var other = Proposal();
        using var runtime = StrategyRuntime.Create(new ModelBindings().Bind("policy", policy).Bind("other", other), new FunctionBindings(), new RunOptions(seed, Runs: 3));
        var population = runtime.Prefill(runtime.Broadcast(8L), "policy", runtime.Broadcast("c"), shared: true);
        runtime.Decode(population, Plain(runtime), stream: 0);
        var texts = new ParticleValues(population.Texts.Cast<object>().ToArray());

        var byPolicy = (ParticleValues)runtime.LogProb("policy", texts, runtime.Broadcast("c"), population, population);
        var byOther = (ParticleValues)runtime.LogProb("other", texts, runtime.Broadcast("c"), population, population);

        // Every particle ended with EOS (the model forces it after 4 tokens), and each text has one tokenization, so a
        // particle's token sequence has the probability the model's exact text law gives its text.
        var policyLaw = policy.ExactTextLaw("c");
        var otherLaw = other.ExactTextLaw("c");
        for (var row = 0; row < population.Rows; row++)
        {
            Assert.True(population.Done[row]);
            Assert.Equal(Math.Log(policyLaw[population.Texts[row]]), (double)byPolicy.PerRow[row], 12);
            Assert.Equal(Math.Log(otherLaw[population.Texts[row]]), (double)byOther.PerRow[row], 12);
        }

        // One scoring per particle, metered as reward calls; no model calls or tokens beyond the decode's.
        Assert.All(Enumerable.Range(0, 3), run => Assert.Equal(16, runtime.Meter.SpentBy(run).RewardCalls));
    }

    [Fact]
    public void A_given_text_is_scored_without_eos_after_its_prompt()
    {
        using var policy = Abc();
        using var runtime = StrategyRuntime.Create(new ModelBindings().Bind("policy", policy), new FunctionBindings(), new RunOptions(0, Runs: 2));
        var scored = (RunValues)runtime.LogProb("policy", new RunValues(new object?[] { "ab", "" }), new RunValues(new object?[] { "c", "c" }), null, null);

        // p(a | c) = 0.3, p(b | a) = 0.2; the empty text has probability 1.
        Assert.Equal(Math.Log(0.3) + Math.Log(0.2), (double)scored[0]!, 12);
        Assert.Equal(0.0, (double)scored[1]!);
    }

    [Fact]
    public void A_text_the_model_cannot_encode_is_a_clear_runtime_error()
    {
        using var policy = Abc();
        using var runtime = StrategyRuntime.Create(new ModelBindings().Bind("policy", policy), new FunctionBindings(), new RunOptions(0, Runs: 1));
        var error = Assert.Throws<Tts.Runtime.Models.ModelException>(() => runtime.LogProb("policy", runtime.Broadcast(" Yes"), runtime.Broadcast("a"), null, null));
        Assert.Contains("logp: model 'policy' cannot encode", error.Message, StringComparison.Ordinal);
    }
}
