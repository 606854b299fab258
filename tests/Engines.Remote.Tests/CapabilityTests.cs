using Tts.Runtime.Execution;
using Tts.Semantics;

namespace Tts.Engines.Remote.Tests;

/// <summary>A strategy's needs, read from its IR, against what its bound models declare: a mismatch is one error at the statement.</summary>
public sealed class CapabilityTests
{
    private const ModelCapabilities ServerSampling = ModelCapabilities.SampledTokenLogProbs | ModelCapabilities.Seeds | ModelCapabilities.Masks;

    [Fact]
    public void A_mask_inside_smc_needs_the_full_distribution()
    {
        using var model = new LimitedModel(TestModels.Tabular(), ServerSampling);
        var error = Assert.Throws<RuntimeException>(() => Strategies.Run("pf", model, new RunOptions()));
        Assert.Equal(
            "strategy 'pf': `extend` with `forbid` inside `smc` needs full next-token distributions (the allowed mass of the mask corrects each particle's weight), " +
            "which the model bound to 'policy' does not offer (it offers: log-probabilities of sampled tokens, token masks, seeds)",
            error.Message);
    }

    [Fact]
    public void Speculative_sampling_needs_both_full_distributions()
    {
        using var model = new LimitedModel(TestModels.Tabular(), ServerSampling);
        var error = Assert.Throws<RuntimeException>(() => Strategies.Run("spec", model, new RunOptions()));
        Assert.StartsWith("strategy 'spec': `speculative` (its target) needs full next-token distributions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_sampling_needs_nothing_a_sampler_lacks()
    {
        using var model = new LimitedModel(TestModels.Tabular(), ModelCapabilities.None);
        Assert.Single(Strategies.Run("plain", model, new RunOptions()));
        Assert.Empty(Strategies.Compile("plain").Runnable.CapabilityNeeds);
    }

    [Fact]
    public void A_mask_outside_smc_needs_masks_and_a_called_strategy_is_named()
    {
        const string program = """
            model policy: lm
            strategy inner(p: text) -> population {
                population xs = sample policy(p, n: 2, max_tokens: 3, forbid: ["c"])
                return xs
            }
            strategy outer() -> population {
                population ys = inner("a")
                return ys
            }
            """;
        var need = Assert.Single(Strategies.Compile("outer", program).Runnable.CapabilityNeeds);
        Assert.Equal(ModelCapabilities.Masks, need.Needs);
        Assert.Equal("policy", need.Model);
        Assert.Contains("`sample` with `forbid`", need.Statement, StringComparison.Ordinal);
    }

    [Fact]
    public void Particle_gibbs_needs_the_full_distribution_to_replay_its_reference()
    {
        const string program = """
            model policy: lm
            strategy pg() -> text {
                population ps = spawn(2, prompt: "a")
                smc ps with resample = multinomial, steps <= 2, iterations = 2 {
                    extend ps by policy(max_tokens: 1)
                    factor ps += weight(0.5 * count(ps, "b"))
                }
                return sample(ps)
            }
            """;
        var need = Assert.Single(Strategies.Compile("pg", program).Runnable.CapabilityNeeds);
        Assert.Equal(ModelCapabilities.FullDistribution, need.Needs);
        Assert.Equal("policy", need.Model);
        Assert.Contains("`smc` with `iterations` (particle Gibbs)", need.Statement, StringComparison.Ordinal);
    }

    [Fact]
    public void The_remote_model_offers_everything_but_shared_prefix_state()
    {
        var path = TestModels.WriteFile();
        try
        {
            using var remote = RemoteLanguageModel.Open($"http://remote.test/v1?tokenizer={Uri.EscapeDataString(path)}", new TabularServerHandler(TestModels.Tabular()));
            Assert.Equal(ModelCapabilities.All & ~ModelCapabilities.SharedPrefix, remote.Capabilities);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
