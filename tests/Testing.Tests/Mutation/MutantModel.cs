using TorchSharp;
using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Testing.Tests.Mutation;

/// <summary>
/// A planted fault: a model that hands the runtime a distorted next-token law. <paramref name="distort"/> gets the
/// true [rows, V] log-probabilities and each row's count of generated tokens and returns what the sampler sees, so
/// a fault lives in a test-only implementation of <see cref="ILanguageModel"/>, never behind a flag in production code.
/// </summary>
internal sealed class MutantModel(ILanguageModel inner, Func<Tensor, int[], Tensor> distort) : ILanguageModel
{
    public Vocabulary Vocabulary => inner.Vocabulary;

    public int[] Encode(string text) => inner.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) =>
        new State(inner.Start(prompts, promptOfRow), distort);

    public void Dispose()
    {
        // The inner model belongs to the test.
    }

    /// <summary>Temperature applied twice: the model divides its log-probabilities by T before the sampler divides by T again.</summary>
    public static MutantModel TemperatureTwice(ILanguageModel model, double temperature) =>
        new(model, (logProbs, _) => logProbs / temperature);

    /// <summary>Forced EOS without correction: EOS is forced one token before the limit, as a decoder that ends rows early would.</summary>
    public static MutantModel EarlyForcedEos(ILanguageModel model, int limit) =>
        new(model, (logProbs, generated) =>
        {
            var eos = model.Vocabulary.EosId;
            var forced = torch.full_like(logProbs, double.NegativeInfinity);
            forced[.., eos] = 0.0;
            var rows = torch.tensor(generated.Select(g => g >= limit - 1).ToArray()).unsqueeze(1);
            return torch.where(rows, forced, logProbs);
        });

    private sealed class State(IDecodeState inner, Func<Tensor, int[], Tensor> distort) : IDecodeState
    {
        private int[] _generated = new int[inner.Rows];

        public int Rows => inner.Rows;

        public Tensor NextLogProbs()
        {
            using var scope = torch.NewDisposeScope();
            return distort(inner.NextLogProbs(), _generated).MoveToOuterDisposeScope();
        }

        public void Append(Tensor tokens, bool[]? hold = null)
        {
            inner.Append(tokens, hold);
            for (var row = 0; row < _generated.Length; row++)
            {
                _generated[row] += hold is not null && hold[row] ? 0 : 1;
            }
        }

        public void Reorder(Tensor rowIndices)
        {
            inner.Reorder(rowIndices);
            _generated = rowIndices.data<long>().Select(i => _generated[i]).ToArray();
        }

        public IDecodeState Concat(IDecodeState other) => throw new NotSupportedException("mutant states are not concatenated");

        public void Dispose() => inner.Dispose();
    }
}
