using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// <c>search … with method = beam | diverse</c>: every live node gets <c>expand</c> children; a node that has ended
/// stays one node (its other copies are discarded padding), so the population after the search is the tree's nodes.
/// </summary>
public sealed class BeamSearchTests
{
    private const string Program = """
        model policy: lm
        reward length: Score
        strategy s(method_width: int = 64, expand: int = 2) -> population {
            population ps = spawn(1, prompt: "")
            search ps with method = METHOD, width = method_width, expand = expand, steps <= 8 {
                extend ps by policy(max_tokens: 1)
                score ps = length(ps)
            }
            return ps
        }
        """;

    private static List<RunResult> Run(string method, int runs, int firstRun) =>
        BlockExecutionTests.Run(Program.Replace("METHOD", method, StringComparison.Ordinal), "s", new RunOptions(9, Runs: runs, FirstRun: firstRun),
            functions: new FunctionBindings().BindReward("length", DelegateReward.PerText(RewardKind.Score, t => t.Length)));

    private static string[] Texts(RunResult result) => ((object[])result.Output!).Cast<string>().ToArray();

    /// <summary>
    /// The abc model ends a text after at most 4 tokens, so width 64 never binds: the search grows the whole binary
    /// tree of its samples. Each expansion is two children of one token each, so E expansions spend 2E tokens and
    /// leave 1 + E leaves — the output. Before padding was discarded, a node that ended before its siblings kept
    /// its copies (one per later step), and the output had more rows than the tree has leaves.
    /// </summary>
    [Theory]
    [InlineData("beam")]
    [InlineData("diverse")]
    public void The_population_after_the_search_is_the_trees_leaves(string method)
    {
        const int runs = 16;
        var together = Run(method, runs, 0);
        var endedEarly = 0;
        for (var run = 0; run < runs; run++)
        {
            var expansions = (int)(together[run].Spent.Tokens / 2);
            Assert.Equal(2 * expansions, together[run].Spent.Tokens);
            Assert.Equal(1 + expansions, Texts(together[run]).Length);
            Assert.Equal(Texts(Run(method, 1, run).Single()), Texts(together[run]));
            var lengths = Texts(together[run]).Select(t => t.Length).Distinct().Count();
            endedEarly += lengths > 1 ? 1 : 0;
        }

        // The property has teeth only where some leaves ended before others.
        Assert.True(endedEarly >= runs / 2, $"only {endedEarly} of {runs} runs have leaves of different depths");
    }
}
