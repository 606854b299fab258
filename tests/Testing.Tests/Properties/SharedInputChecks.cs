using Tts.Runtime.Rewards;
using Tts.Testing.Checking;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// Issue 17: a repeat member with no output is absent from the population, and draws that share a random prompt are
/// i.i.d. only given it. The compiler's label, the oracle's exact law and the executor's outputs agree on both.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class SharedInputChecks
{
    private const double SmallestDeviation = 0.05;

    private const string Program = """
        model policy: lm

        strategy has_c(p: text = "") -> text {
            population xs = sample policy(p, n: 2, max_tokens: 3)
            return first(xs, where: contains(xs, "c"))
        }

        strategy repeat_has_c(p: text = "") -> text {
            population runs = repeat(3, has_c(p))
            return sample(runs)
        }

        strategy from_drawn_prompt(p: text = "") -> text {
            population xs = sample policy(p, n: 1, max_tokens: 1)
            population ys = sample policy(sample(xs), n: 3, max_tokens: 2)
            return sample(ys)
        }

        strategy first_from_drawn_prompt(p: text = "") -> text {
            population xs = sample policy(p, n: 1, max_tokens: 1)
            population ys = sample policy(sample(xs), n: 3, max_tokens: 2)
            return first(ys, where: contains(ys, "c"), otherwise: "")
        }

        strategy smc_from_drawn_prompt(p: text = "") -> text {
            population xs = sample policy(p, n: 1, max_tokens: 1)
            population ps = spawn(3, prompt: sample(xs))
            smc ps with steps <= 2 {
                extend ps by policy(max_tokens: 1)
                factor ps += weight(len(ps) * 1.0)
            }
            return sample(ps)
        }

        strategy first_in_a_call_on_a_drawn_argument(p: text = "") -> text {
            population xs = sample policy(p, n: 1, max_tokens: 1)
            return has_c(sample(xs))
        }

        strategy first_over_repeat_of_drawn(p: text = "") -> text {
            population xs = sample policy(p, n: 1, max_tokens: 1)
            population runs = repeat(3, has_c(sample(xs)))
            return first(runs, where: len(runs) > 1, otherwise: "")
        }
        """;

    private static CheckSettings Settings(string test) => new(
        Runs: 20_000,
        Seed: TestSeeds.For(test, 17),
        Alpha: AlphaBudget.PerAssertion(StatisticalAssertions.Count),
        SmallestDeviation: SmallestDeviation);

    [Theory]
    [InlineData("repeat_has_c")]
    [InlineData("from_drawn_prompt")]
    public void Exact_strategy_over_absent_members_or_a_drawn_prompt_follows_the_oracle(string strategy)
    {
        var compilation = TestModels.Compile(Program);
        var verdict = StrategyChecker.Check(compilation, strategy, TestModels.Policy(TestModels.Abc()), new FunctionBindings(), null, Settings(strategy));

        Assert.Equal("exact", verdict.Claim.ToString().ToLowerInvariant());
        Assert.False(verdict.Refuted, verdict.Format());
        Assert.NotNull(verdict.Runtime);
        Assert.Equal("chi-square", verdict.Runtime!.Test);
        Assert.Equal(0.0, verdict.ClaimDistance!.Value, 1e-9);
        Assert.True(verdict.Runtime.SmallestDetectable <= SmallestDeviation, verdict.Format());
    }

    [Theory]
    [InlineData("first_from_drawn_prompt", "conditions draws that share a random input")]
    [InlineData("smc_from_drawn_prompt", "reweights particles that share a random input")]
    [InlineData("first_over_repeat_of_drawn", "conditions draws that share a random input")]
    [InlineData("first_in_a_call_on_a_drawn_argument", "conditions draws that share a random input")]
    public void Conditioning_or_reweighting_draws_that_share_a_random_input_is_heuristic(string strategy, string reason)
    {
        var bound = TestModels.Compile(Program).Bound.FindStrategy(strategy)!;

        Assert.Equal("heuristic", bound.Guarantee.LevelName);
        Assert.Contains(reason, bound.Guarantee.Reason, StringComparison.Ordinal);
    }
}
