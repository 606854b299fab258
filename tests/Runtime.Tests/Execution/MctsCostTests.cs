using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport.Strategies;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// Monte Carlo tree search costs what its simulations decode: each simulation copies the node every run selected and
/// writes back the child, rather than copying the whole tree and decoding it with only the new rows taking part
/// (which made a search's cost grow with the square of its simulations). A model state that cannot copy or write
/// single rows (the default <see cref="IDecodeState.CopyRows"/> and <see cref="IDecodeState.TryWriteRows"/>) gives the
/// same results.
/// </summary>
public sealed class MctsCostTests
{
    private const int Runs = 8;
    private const int Simulations = 40;

    private const string Program = """
        model policy: lm
        strategy s(sims: int = 40) -> population {
            population ps = spawn(1, prompt: "")
            search ps with method = METHOD, expand = 2, explore = 0.5, steps <= sims {
                extend ps by policy(max_tokens: 1)
                score ps = score(1.0 * count(ps, "b") - 0.5 * count(ps, "c"))
            }
            return ps
        }
        """;

    private static List<string> Run(string method, ILanguageModel model)
    {
        var module = TestPrograms.Compile(Program.Replace("METHOD", method, StringComparison.Ordinal)).Optimized!;
        var compiled = CompiledStrategy.Of(module, "s");
        var arguments = compiled.Arguments();
        arguments["sims"] = (long)Simulations;
        return compiled.Run(arguments, new ModelBindings().Bind("policy", model), new FunctionBindings(), new RunOptions(9, Runs: Runs))
            .Select(r => r.Untimed())
            .Select(r => $"{string.Join("|", (object[])r.Output!)} {r.Spent}")
            .ToList();
    }

    [Theory]
    [InlineData("mcts")]
    [InlineData("puct")]
    public void Each_simulation_moves_and_decodes_one_row_per_run(string method)
    {
        using var inner = TabularModels.Design();
        var model = new CountingModel(inner, rowOperations: true);
        Run(method, model);

        // The layout with room for every node moves (S + 1)·runs rows once; then each simulation copies one row per run
        // out and writes one back. Copying the tree at every simulation moves about runs·S²/2 rows (6,500 here).
        Assert.InRange(model.RowsMoved, 1, 3 * (Simulations + 1) * Runs);
        Assert.Equal(Runs, model.MostRowsStepped);
    }

    [Theory]
    [InlineData("mcts")]
    [InlineData("puct")]
    public void A_state_without_row_copies_gives_the_same_trees(string method)
    {
        using var inner = TabularModels.Design();
        var direct = Run(method, inner);
        Assert.Equal(direct, Run(method, new CountingModel(inner, rowOperations: true)));
        Assert.Equal(direct, Run(method, new CountingModel(inner, rowOperations: false)));
        Assert.True(direct.Distinct().Count() > Runs / 2, "different runs grow different trees");
    }

    /// <summary>
    /// Counts the rows its states move (reorders, concatenations, row copies and writes) and the most rows one decode step
    /// computes; with <c>rowOperations</c> false its states copy and write rows only through the interface's defaults.
    /// </summary>
    private sealed class CountingModel(ILanguageModel inner, bool rowOperations) : ILanguageModel
    {
        public long RowsMoved { get; private set; }

        public long MostRowsStepped { get; private set; }

        public Vocabulary Vocabulary => inner.Vocabulary;

        public int[] Encode(string text) => inner.Encode(text);

        public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => Wrap(inner.Start(prompts, promptOfRow));

        public void Dispose()
        {
        }

        private IDecodeState Wrap(IDecodeState state) => rowOperations ? new RowState(this, state) : new State(this, state);

        private class State(CountingModel owner, IDecodeState inner) : IDecodeState
        {
            protected CountingModel Owner => owner;

            public IDecodeState Inner => inner;

            public int Rows => inner.Rows;

            public Tensor NextLogProbs()
            {
                owner.MostRowsStepped = Math.Max(owner.MostRowsStepped, inner.Rows);
                return inner.NextLogProbs();
            }

            public void Append(Tensor tokens, bool[]? hold = null) => inner.Append(tokens, hold);

            public void Reorder(Tensor rowIndices)
            {
                owner.RowsMoved += rowIndices.shape[0];
                inner.Reorder(rowIndices);
            }

            public IDecodeState Concat(IDecodeState other)
            {
                owner.RowsMoved += Rows + other.Rows;
                return owner.Wrap(inner.Concat(((State)other).Inner));
            }

            public void Dispose() => inner.Dispose();
        }

        private sealed class RowState(CountingModel owner, IDecodeState inner) : State(owner, inner), IDecodeState
        {
            public IDecodeState CopyRows(Tensor rowIndices)
            {
                Owner.RowsMoved += rowIndices.shape[0];
                return Owner.Wrap(Inner.CopyRows(rowIndices));
            }

            public bool TryWriteRows(Tensor rowIndices, IDecodeState source)
            {
                Owner.RowsMoved += rowIndices.shape[0];
                return Inner.TryWriteRows(rowIndices, ((State)source).Inner);
            }
        }
    }
}
