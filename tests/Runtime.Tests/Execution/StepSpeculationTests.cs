using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.Testing.Statistics;
using Tts.TestSupport;
using Tts.TestSupport.Statistics;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// Two-model step speculation (<c>reextend</c>, issue 20 item 4) on two tabular models over one vocabulary: the large
/// model decodes exactly the steps the judge rejects, and the likelihood-ratio judge gives the large model's own law.
/// </summary>
public sealed class StepSpeculationTests
{
    // One token per step, so that a redraw is exactly one large-model token and the law is a short enumeration.
    private const string Program = """
        model small: lm
        model large: lm
        reward judge: Score

        strategy judged(n: int = 6) -> population {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 3 {
                extend ps by small(max_tokens: 1)
                reextend ps where real(judge(ps)) < 0.5 by large(max_tokens: 1)
            }
            return ps
        }

        strategy fixed(n: int = 6, redraw: bool = false) -> population {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 3 {
                extend ps by small(max_tokens: 1)
                reextend ps where redraw by large(max_tokens: 1)
            }
            return ps
        }

        strategy small_only(n: int = 6) -> population {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 3 {
                extend ps by small(max_tokens: 1)
            }
            return ps
        }

        strategy exact(log_m: real = 0.88) -> text claims exact {
            population ps = spawn(1, prompt: "")
            smc ps with steps <= 3 {
                extend ps by small(max_tokens: 1)
                reextend ps where uniform(ps) >= exp(real(step_logp(large, ps) - step_logp(small, ps)) - log_m) by large(max_tokens: 1)
            }
            return sample(ps)
        }
        """;

    private static TabularModel Small() => TabularModel.Load(RepoPaths.Combine("examples", "models", "abc_proposal.json"));

    private static List<RunResult> Run(string strategy, RunOptions options, OptimizationLevel level, FunctionBindings functions, Dictionary<string, object>? set = null)
    {
        using var small = Small();
        using var large = TabularModels.Design();
        var compiled = CompiledStrategy.Of(TestPrograms.Compile(Program, level).Optimized!, strategy);
        var arguments = new Dictionary<string, object>(compiled.Arguments());
        foreach (var (name, value) in set ?? new Dictionary<string, object>())
        {
            arguments[name] = value;
        }

        return compiled.Run(arguments, new ModelBindings().Bind("small", small).Bind("large", large), functions, options).Select(r => r.Untimed()).ToList();
    }

    private static string[] Texts(RunResult result) => ((object[])result.Output!).Cast<string>().ToArray();

    [Theory]
    [InlineData(OptimizationLevel.O0)]
    [InlineData(OptimizationLevel.O1)]
    public void The_large_model_decodes_exactly_the_rejected_steps(OptimizationLevel level)
    {
        // The judge rejects a drafted step that ends in c; it sees each particle of each step once.
        var rejected = 0;
        var judge = new FunctionBindings().BindReward("judge", DelegateReward.PerText(RewardKind.Score, t =>
        {
            var reject = t.EndsWith('c');
            rejected += reject ? 1 : 0;
            return reject ? 0.0 : 1.0;
        }));
        var options = new RunOptions(3, Runs: 50);
        var judged = Run("judged", options, level, judge);
        Assert.InRange(rejected, 1, 50 * 6 * 3 - 1);
        Assert.Equal(rejected, judged.Sum(r => r.Spent.RedrawnTokens));
        foreach (var result in judged)
        {
            // Both models' tokens count: at most one drafted and one redrawn token per particle per step.
            Assert.True(result.Spent.Tokens <= 2 * 6 * 3, $"{result.Spent}: past the static bound");
            Assert.True(result.Spent.RedrawnTokens <= result.Spent.Tokens / 2, $"{result.Spent}");
        }

        // Nothing rejected: no large-model token, and the particles are the small model's own, token for token.
        var none = new FunctionBindings().BindReward("judge", DelegateReward.PerText(RewardKind.Score, _ => 1.0));
        var kept = Run("fixed", options, level, none);
        Assert.All(kept, r => Assert.Equal(0, r.Spent.RedrawnTokens));
        Assert.Equal(Run("small_only", options, level, none).Select(Texts), kept.Select(Texts));
        Assert.Equal(Run("small_only", options, level, none).Select(r => r.Spent.Tokens), kept.Select(r => r.Spent.Tokens));

        // Everything rejected: every drafted step is redrawn, one large token each, so half of all tokens are the large model's.
        var all = Run("fixed", options, level, none, new Dictionary<string, object> { ["redraw"] = true });
        Assert.All(all, r => Assert.Equal(r.Spent.Tokens, 2 * r.Spent.RedrawnTokens));
        Assert.All(all, r => Assert.True(r.Spent.RedrawnTokens > 0));
    }

    [Fact]
    public void Both_levels_give_the_same_runs_bit_for_bit()
    {
        var judge = new FunctionBindings().BindReward("judge", DelegateReward.PerText(RewardKind.Score, t => t.EndsWith('b') ? 0.0 : 1.0));
        var options = new RunOptions(9, Runs: 20);
        var judged = new[] { OptimizationLevel.O0, OptimizationLevel.O1 }.Select(level => Run("judged", options, level, judge)).ToList();
        Assert.Equal(judged[0].Select(Texts), judged[1].Select(Texts));
        Assert.Equal(judged[0].Select(r => r.Spent), judged[1].Select(r => r.Spent));
        Assert.Contains(judged[0], r => r.Spent.RedrawnTokens > 0);
        Assert.Equal(Run("exact", options, OptimizationLevel.O0, judge), Run("exact", options, OptimizationLevel.O1, judge));
    }

    [Fact]
    public void A_bound_below_a_drafted_steps_likelihood_ratio_stops_the_run()
    {
        // b after b: p_large = 0.6, p_small = 0.25, ratio 2.4 > e^0.5.
        var error = Assert.Throws<RuntimeException>(() => Run("exact", new RunOptions(1, Runs: 200), OptimizationLevel.O1, new FunctionBindings(),
            new Dictionary<string, object> { ["log_m"] = 0.5 }));
        Assert.Contains("acceptance probability of reextend is", error.Message, StringComparison.Ordinal);
        Assert.Contains("raise the bound", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The likelihood-ratio judge at M = e^0.88 ≥ 2.4 (the largest ratio of one-token steps of abc over abc_proposal): each
    /// step follows the large model, so a run's text follows the large model's law of three one-token steps, which is
    /// enumerated here from its table (chi-square; the smallest cell has mass 0.003).
    /// </summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void The_likelihood_ratio_judge_follows_the_large_models_law()
    {
        const int runs = 24_000;
        var law = LargeLaw();
        var cells = law.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var probabilities = cells.Select(c => law[c]).ToArray();
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var required = ChiSquare.RequiredSampleSize(probabilities, 0.05, alpha, 1e-3);
        Assert.True(required <= runs, $"{runs} runs cannot catch a TV of 0.05; {required} needed");

        var results = Run("exact", new RunOptions(2026, Runs: runs), OptimizationLevel.O1, new FunctionBindings());
        var observed = new long[cells.Count];
        foreach (var result in results)
        {
            var index = cells.IndexOf((string)result.Output!);
            Assert.True(index >= 0, $"{result.Output} is outside the large model's support");
            observed[index]++;
        }

        // The small model drafted most steps, and the large model redrew only some of them.
        var redrawn = results.Sum(r => r.Spent.RedrawnTokens);
        Assert.InRange(redrawn, 1, results.Sum(r => r.Spent.Tokens) / 2 - 1);
        ChiSquare.GoodnessOfFit(observed, probabilities).AssertNotRejected(alpha);
    }

    /// <summary>The design model (examples/models/abc.json) decoded for three one-token steps from the empty prompt.</summary>
    private static Dictionary<string, double> LargeLaw()
    {
        var next = new Dictionary<string, double[]>
        {
            [""] = [0.5, 0.3, 0.1, 0.1],
            ["a"] = [0.2, 0.2, 0.2, 0.4],
            ["b"] = [0.1, 0.6, 0.2, 0.1],
            ["c"] = [0.3, 0.3, 0.3, 0.1],
        };
        var law = new Dictionary<string, double>(StringComparer.Ordinal);
        void Walk(string text, double p, int steps)
        {
            if (steps == 3)
            {
                law[text] = law.GetValueOrDefault(text) + p;
                return;
            }

            var row = next[text.Length == 0 ? "" : text[^1..]];
            law[text] = law.GetValueOrDefault(text) + p * row[3];
            for (var token = 0; token < 3; token++)
            {
                Walk(text + "abc"[token], p * row[token], steps + 1);
            }
        }

        Walk("", 1.0, 0);
        return law;
    }
}
