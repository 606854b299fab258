using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// <c>search … with method = best_first</c>: each step the best live node of each run's frontier is replaced by its
/// <c>expand</c> children, so every node is expanded at most once.
/// </summary>
public sealed class BestFirstSearchTests
{
    /// <summary>A chain: "" → a → b → EOS, with probability 1 at each step, so every child of a node is the same node.</summary>
    private const string Chain = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["a", "b", "<eos>"],
          "eos": "<eos>",
          "order": 1,
          "max_tokens": 4,
          "probs": {
            "":  [1.0, 0.0, 0.0],
            "a": [0.0, 1.0, 0.0],
            "b": [0.0, 0.0, 1.0]
          }
        }
        """;

    private const string Program = """
        model policy: lm
        reward length: Score
        strategy s(width: int = 8, expand: int = 2, steps: int = 10) -> population {
            population ps = spawn(1, prompt: "")
            search ps with method = best_first, width = width, expand = expand, steps <= steps {
                extend ps by policy(max_tokens: 1)
                score ps = length(ps)
            }
            return ps
        }
        """;

    private static List<RunResult> Run(TabularModel model, RunOptions options, long width, long expand, long steps)
    {
        var arguments = new Dictionary<string, object> { ["width"] = width, ["expand"] = expand, ["steps"] = steps };
        var functions = new FunctionBindings().BindReward("length", DelegateReward.PerText(RewardKind.Score, t => t.Length));
        return TestPrograms.Strategy(Program, "s").Run(arguments, new ModelBindings().Bind("policy", model), functions, options)
            .Select(r => r.Untimed())
            .ToList();
    }

    private static string[] Texts(RunResult result) => ((object[])result.Output!).Cast<string>().ToArray();

    /// <summary>
    /// The chain model, expand 2, scored by length (ties to the lower row), nodes written "" (the root), a, ab (live) and
    /// ab. (ended: its child drew EOS, which adds no text). One step extends by one token, so an expansion is one model
    /// call (one decode step) and two reward calls (its two children), plus the prefill's one model call.
    /// Width 16 never binds:
    ///   step 0 expands "" → [a, a]; step 1 the first a → [a, ab, ab]; step 2 the first ab → [a, ab, ab., ab.];
    ///   step 3 ab → [a, ab., ab., ab., ab.]; step 4 a → [ab. ×4, ab, ab]; step 5 ab → [ab. ×4, ab, ab., ab.];
    ///   step 6 ab → [ab. ×8]; step 7 finds nothing live and the search ends:
    ///   7 expansions (the tree's 1 + 2 + 4 inner nodes, each once), 1 + 7 model calls, 14 reward calls, 8 rows "ab".
    /// Width 2 keeps the two best of each step:
    ///   step 0 "" → [a, a]; step 1 a → [a, ab, ab] → keeps [ab, ab]; step 2 ab → [ab, ab., ab.] → keeps [ab, ab.];
    ///   step 3 ab → [ab., ab., ab.] → keeps [ab., ab.]; step 4 ends: 4 expansions, 1 + 4 calls, 8 reward calls.
    /// (Before the fix, an expanded node stayed in the frontier, live, with score −∞, behind the step's children. Width 2
    /// always dropped it, so the counts were already right (so was width 8, just: each step from step 4 on had 10 rows for
    /// 8 places, and the −∞ nodes went). Width 16 kept them; steps 0–6 went as above, then at step 7 only −∞ nodes were
    /// live and the first of them, the root "", was expanded again, and so on every step: 1 + 10 model calls, 20 reward
    /// calls with steps ≤ 10, and 16 final rows, among them "" and two a's.)
    /// </summary>
    [Theory]
    [InlineData(16, 8, 14, 8)]
    [InlineData(2, 5, 8, 2)]
    public void Each_node_is_expanded_once_and_leaves_the_frontier(long width, long modelCalls, long rewardCalls, int rows)
    {
        using var model = TabularModel.Parse(Chain, "chain.json");
        var result = Run(model, new RunOptions(3), width, expand: 2, steps: 10).Single();
        Assert.Equal(modelCalls, result.Spent.ModelCalls);
        Assert.Equal(rewardCalls, result.Spent.RewardCalls);
        Assert.Equal(2 * (modelCalls - 1), result.Spent.Tokens);
        Assert.Equal(Enumerable.Repeat("ab", rows), Texts(result));
    }

    /// <summary>
    /// The abc model, expand 2, sampled. A node has at most 4 tokens and then ends (EOS), so the tree has at most
    /// 1 + 2 + 4 + 8 + 16 = 31 inner nodes; width 64 never binds and the search ends before its 64 steps. Each step
    /// expands one node (one model call, two reward calls) and turns one frontier row into two, so a run alone ends
    /// with 1 + E rows after E expansions. Batched, a run that has ended takes part in no model or reward call and keeps
    /// its nodes; as every run holds the same number of rows, it also holds copies of its first node, one per step
    /// (expand − 1) while another run still expands — discarded padding (dead), so not in its output.
    /// </summary>
    [Fact]
    public void Sampled_trees_expand_every_inner_node_once_and_a_run_spends_the_same_alone_or_batched()
    {
        using var model = TabularModels.Design();
        const int runs = 12;
        var together = Run(model, new RunOptions(5, Runs: runs), width: 64, expand: 2, steps: 64);
        for (var run = 0; run < runs; run++)
        {
            var alone = Run(model, new RunOptions(5, Runs: 1, FirstRun: run), width: 64, expand: 2, steps: 64).Single();
            var expansions = alone.Spent.ModelCalls - 1;
            Assert.InRange(expansions, 1, 31);
            Assert.Equal(2 * expansions, alone.Spent.RewardCalls);
            Assert.Equal(2 * expansions, alone.Spent.Tokens);
            Assert.Equal(1 + expansions, Texts(alone).Length);
            Assert.Equal(alone.Spent, together[run].Spent);
            Assert.Equal(Texts(alone), Texts(together[run]));
        }

        // Some runs ended before the one that expanded most, so were padded; the padding is in no output.
        var most = together.Max(r => r.Spent.ModelCalls - 1);
        Assert.Contains(together, r => r.Spent.ModelCalls - 1 < most);
    }
}
