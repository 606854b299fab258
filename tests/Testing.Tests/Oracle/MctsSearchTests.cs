using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Testing.Oracle;
using Tts.TestSupport;

namespace Tts.Testing.Tests.Oracle;

/// <summary>
/// search ... method = mcts on the abc model: the static bound (one node extended per simulation), the tree it keeps
/// (one node per expanding simulation, the root discarded), and outputs the reference semantics can reach.
/// </summary>
public sealed class MctsSearchTests
{
    private static string Source(string method) => $$"""
        model policy: lm

        strategy s(sims: int = 6) -> population {
            population ps = spawn(1, prompt: "")
            search ps with method = {{method}}, expand = 2, explore = 0.5, steps <= sims {
                extend ps by policy(max_tokens: 1)
                score ps = score(1.0 * count(ps, "b") - 0.5 * count(ps, "c"))
            }
            return ps
        }
        """;

    [Theory]
    [InlineData("mcts")]
    [InlineData("puct")]
    public void Runs_stay_within_the_static_bound_and_keep_one_node_per_simulation(string method)
    {
        var compilation = TestModels.Compile(Source(method));
        var bound = compilation.Bound.FindStrategy("s")!;
        Assert.Equal("tokens <= sims, calls <= sims + 1, rewards <= 0", bound.Budget.ToString());
        Assert.Equal(Tts.Language.Binding.Guarantees.Guarantee.Heuristic, bound.Guarantee.Level);

        var reachable = new ExactOracle(compilation.Bound, TestModels.Policy(TestModels.Abc())).Evaluate("s").Reachable!;
        var strategy = StrategyProgram.From(compilation).Select("s");
        var models = new ModelBindings().Bind("policy", TestModels.Abc());
        var results = strategy.Run(new Dictionary<string, object> { ["sims"] = 6L }, models, options: new RunOptions(9, 48)).ToList();
        var shapes = new HashSet<string>();
        foreach (var result in results)
        {
            Assert.True(result.Spent.Tokens <= 6, $"run {result.Run} spent {result.Spent.Tokens} tokens");
            var nodes = (object[])result.Output!;

            // At most 6 nodes (a simulation that re-selects an ended leaf adds none); the abc model ends every text within
            // 4 tokens, so a tree of depth ≤ 6 holds only reachable texts.
            Assert.InRange(nodes.Length, 1, 6);
            Assert.All(nodes, text => Assert.True(reachable[new Outcome(text)] > 0, $"'{text}' is not reachable"));
            shapes.Add(string.Join("|", nodes));
        }

        Assert.True(shapes.Count > 10, "different seeds grow different trees");
    }
}
