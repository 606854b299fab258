using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;
using Tts.TestSupport;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// Early rejection by a partial reward and early exit on the policy's confidence (issue 20, item 5), written in the
/// language as it is: each spends no more than the same strategy without stopping, and what it keeps is what that
/// strategy draws at the same seed.
/// </summary>
public sealed class AdaptiveStoppingTests
{
    // The shape of examples/strategies/early_rejection.tts with one token per step, so that rejection happens mid-text
    // on the abc model (its texts end within 4 tokens).
    private const string Rejection = """
        model policy: lm
        reward prm: Score

        strategy rejecting(n: int = 6, threshold: real = -1.0) -> population {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 4 {
                extend ps by policy(max_tokens: 1)
                condition ps: real(prm(ps)) >= threshold
            }
            return ps
        }

        strategy all(n: int = 6) -> population {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 4 {
                extend ps by policy(max_tokens: 1)
            }
            return ps
        }
        """;

    // The partial reward: minus the number of c's so far; threshold -1 drops a particle at its second c.
    private static FunctionBindings Prm() =>
        new FunctionBindings().BindReward("prm", DelegateReward.PerText(RewardKind.Score, t => -t.Count(c => c == 'c')));

    private static string[] Texts(RunResult result) => ((object[])result.Output!).Cast<string>().ToArray();

    [Theory]
    [InlineData(OptimizationLevel.O0)]
    [InlineData(OptimizationLevel.O1)]
    public void Early_rejection_keeps_the_unrejected_particles_token_for_token_and_spends_fewer_tokens(OptimizationLevel level)
    {
        var options = new RunOptions(7, Runs: 200);
        var rejecting = BlockExecutionTests.Run(Rejection, "rejecting", options, level, Prm());
        var all = BlockExecutionTests.Run(Rejection, "all", options, level, Prm());
        var rejected = 0;
        foreach (var (kept, full) in rejecting.Zip(all))
        {
            // The survivors are exactly the particles without a second c, in order: a dead particle changes no other's draws.
            Assert.Equal(Texts(full).Where(t => t.Count(c => c == 'c') <= 1), Texts(kept));
            rejected += Texts(full).Length - Texts(kept).Length;
            Assert.True(kept.Spent.Tokens <= full.Spent.Tokens, $"{kept.Spent} > {full.Spent}");
            Assert.True(kept.Spent.Tokens <= 6 * 4, $"{kept.Spent}: past the static bound n · steps · max_tokens");
        }

        // Some particle died before its last step (a second c then something more), so tokens were saved.
        Assert.True(rejected > 0);
        Assert.True(rejecting.Sum(r => r.Spent.Tokens) < all.Sum(r => r.Spent.Tokens));
    }

    private static readonly string ConfidentExit = File.ReadAllText(RepoPaths.Combine("examples", "strategies", "confident_exit.tts"));

    private static List<RunResult> RunConfident(string strategy, double? threshold, OptimizationLevel level)
    {
        var compiled = CompiledStrategy.Of(TestPrograms.Compile(ConfidentExit, level).Optimized!, strategy);
        var arguments = new Dictionary<string, object>(compiled.Arguments()) { ["question"] = "" };
        if (threshold is { } t)
        {
            arguments["threshold"] = t;
        }

        using var model = Models.TabularModels.Design();
        return compiled.Run(arguments, new ModelBindings().Bind("policy", model), new FunctionBindings(), new RunOptions(3, Runs: 200)).Select(r => r.Untimed()).ToList();
    }

    private static double Confidence(string text)
    {
        using var model = Models.TabularModels.Design();
        // The reference law token by token, without EOS: a given text is scored as a prefix.
        var context = new List<int>();
        var total = 0.0;
        foreach (var token in model.Encode(text))
        {
            total += Math.Log(model.NextTokenProbabilities(context, context.Count)[token]);
            context.Add(token);
        }

        return total / Math.Max(text.Length, 1);
    }

    [Theory]
    [Trait("Category", TestCategories.Slow)]
    [InlineData(OptimizationLevel.O0)]
    [InlineData(OptimizationLevel.O1)]
    public void Confident_exit_stops_only_at_a_confident_draw_and_otherwise_is_the_full_selection(OptimizationLevel level)
    {
        var full = RunConfident("most_confident", null, level);
        var exit = RunConfident("confident_exit", -0.7, level);
        var stopped = 0;
        foreach (var (early, all) in exit.Zip(full))
        {
            Assert.True(early.Spent.Tokens <= all.Spent.Tokens && early.Spent.Tokens <= 96 * 8, $"{early.Spent} against {all.Spent}");
            if (early.Spent.Tokens < all.Spent.Tokens)
            {
                stopped++;
                var text = (string)early.Output!;
                Assert.True(text.Length > 0 && Confidence(text) >= -0.7, $"stopped at \"{text}\" of confidence {Confidence(text)}");
            }
            else
            {
                Assert.Equal(all.Output, early.Output);
            }
        }

        Assert.InRange(stopped, 1, exit.Count - 1);

        // A threshold no text reaches (a log-probability is at most 0) makes it the full selection, bit for bit and
        // token for token (only its reward calls differ: the exit test scores the kept text each round).
        var never = RunConfident("confident_exit", 1.0, level);
        Assert.Equal(full.Select(r => (r.Output, r.Spent.Tokens, r.Spent.ModelCalls)), never.Select(r => (r.Output, r.Spent.Tokens, r.Spent.ModelCalls)));
    }
}
