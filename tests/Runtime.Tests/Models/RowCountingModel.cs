using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models;

/// <summary>
/// Wraps a model to count the rows that go through it: every NextLogProbs adds the state's rows, held ones included,
/// because a batched step computes them all. What a strategy costs in model work, counted, not timed.
/// </summary>
internal sealed class RowCountingModel(ILanguageModel inner) : ILanguageModel
{
    public Vocabulary Vocabulary => inner.Vocabulary;

    /// <summary>Rows summed over every batched step.</summary>
    public long RowSteps { get; private set; }

    public int[] Encode(string text) => inner.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => new State(this, inner.Start(prompts, promptOfRow));

    public void Dispose() => inner.Dispose();

    private sealed class State(RowCountingModel owner, IDecodeState inner) : IDecodeState
    {
        public int Rows => inner.Rows;

        public IDecodeState Inner => inner;

        public Tensor NextLogProbs()
        {
            owner.RowSteps += inner.Rows;
            return inner.NextLogProbs();
        }

        public void Append(Tensor tokens, bool[]? hold = null) => inner.Append(tokens, hold);

        public void Reorder(Tensor rowIndices) => inner.Reorder(rowIndices);

        public IDecodeState Concat(IDecodeState other) => new State(owner, inner.Concat(((State)other).Inner));

        public void Dispose() => inner.Dispose();
    }
}
