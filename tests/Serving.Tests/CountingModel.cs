using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using static TorchSharp.torch;

namespace Tts.Serving.Tests;

/// <summary>
/// Wraps a model to count its batched steps (calls of NextLogProbs, with the rows of each) and to make each step take
/// at least <paramref name="stepDelay"/>, so that requests sent together overlap in time as they would on a real model.
/// </summary>
internal sealed class CountingModel(ILanguageModel inner, TimeSpan stepDelay) : ILanguageModel
{
    private long _steps;
    private long _rows;

    public Vocabulary Vocabulary => inner.Vocabulary;

    public long Steps => Interlocked.Read(ref _steps);

    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>A model that never ends by itself (EOS has probability 0 until 100,000 tokens): x and y, each 1/2.</summary>
    public static CountingModel Endless(TimeSpan stepDelay) => new(TabularModel.Parse(
        """
        {"format": "tts-tabular-lm/1", "vocab": ["x", "y", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 100000,
         "probs": {"": [0.5, 0.5, 0.0]}}
        """,
        "endless.json"), stepDelay);

    public int[] Encode(string text) => inner.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => new State(this, inner.Start(prompts, promptOfRow));

    public void Dispose() => inner.Dispose();

    private sealed class State(CountingModel owner, IDecodeState inner) : IDecodeState
    {
        public int Rows => inner.Rows;

        public Tensor NextLogProbs()
        {
            Interlocked.Increment(ref owner._steps);
            Interlocked.Add(ref owner._rows, inner.Rows);
            if (owner.Delay > TimeSpan.Zero)
            {
                Thread.Sleep(owner.Delay);
            }
            return inner.NextLogProbs();
        }

        public void Append(Tensor tokens, bool[]? hold = null) => inner.Append(tokens, hold);

        public void Reorder(Tensor rowIndices) => inner.Reorder(rowIndices);

        public IDecodeState Concat(IDecodeState other) => new State(owner, inner.Concat(((State)other).Inner));

        public void Dispose() => inner.Dispose();

        private IDecodeState Inner => inner;
    }

    private TimeSpan Delay => stepDelay;
}
