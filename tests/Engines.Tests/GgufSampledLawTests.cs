using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;
using static TorchSharp.torch;

namespace Tts.Engines.Tests;

/// <summary>
/// Two-token continuations sampled on the gguf engine (prompt forked to 256 sequences per batch, the runtime's own
/// sampler) against the exact law computed from the TorchSharp engine's probabilities: chi-square at the suite's
/// per-assertion alpha (counted in <see cref="StatisticalAssertions.Count"/>).
/// </summary>
public sealed class GgufSampledLawTests(ExportedModels models) : IClassFixture<ExportedModels>
{
    private const ulong Seed = 20_261_202UL;
    private const int Batches = 80;
    private const int RowsPerBatch = 256;
    private const double SmallestBug = 0.05;
    private const double Beta = 1e-3;

    [Fact]
    public void Two_token_continuations_follow_the_torch_engines_exact_law()
    {
        var (torchModel, ggufModel) = models.Random;
        var prompt = torchModel.Encode("abc");
        var vocabulary = torchModel.Vocabulary.Count;
        var eos = torchModel.Vocabulary.EosId;
        var options = new SamplingOptions(Temperature: 1.0);

        // Exact law: cell (t1, t2) = p(t1) p(t2 | t1); an EOS first token is its own cell.
        double[] first;
        double[] second;
        using (var state = torchModel.Start([prompt], [.. Enumerable.Repeat(0, vocabulary)]))
        {
            using var firstLaw = state.NextLogProbs();
            first = Array.ConvertAll(firstLaw[0].data<double>().ToArray(), Math.Exp);
            using var everyToken = arange(vocabulary, ScalarType.Int64);
            state.Append(everyToken);
            using var secondLaw = state.NextLogProbs();
            second = Array.ConvertAll(secondLaw.data<double>().ToArray(), Math.Exp);
        }

        var expected = new double[vocabulary * vocabulary];
        for (var t1 = 0; t1 < vocabulary; t1++)
        {
            for (var t2 = 0; t2 < vocabulary; t2++)
            {
                expected[t1 * vocabulary + t2] = t1 == eos ? (t2 == 0 ? first[t1] : 0) : first[t1] * second[t1 * vocabulary + t2];
            }
        }

        var observed = new long[expected.Length];
        for (var batch = 0; batch < Batches; batch++)
        {
            using var state = ggufModel.Start([prompt], [.. Enumerable.Repeat(0, RowsPerBatch)]);
            using var keys = tensor(Enumerable.Range(0, RowsPerBatch).Select(i => (long)CounterRandom.RowKey(Seed, batch, 0, i)).ToArray());
            using var law1 = state.NextLogProbs();
            using var tokens1 = TokenSampler.Sample(law1, options, keys, step: 0);
            state.Append(tokens1);
            using var law2 = state.NextLogProbs();
            using var tokens2 = TokenSampler.Sample(law2, options, keys, step: 1);
            var a = tokens1.data<long>().ToArray();
            var b = tokens2.data<long>().ToArray();
            for (var r = 0; r < RowsPerBatch; r++)
            {
                observed[a[r] * vocabulary + (a[r] == eos ? 0 : b[r])]++;
            }
        }

        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var cells = ChiSquare.MergeSmallCells(observed, expected);
        var required = ChiSquare.RequiredSampleSize(cells.Probabilities, SmallestBug, alpha, Beta);
        Assert.True(required <= Batches * RowsPerBatch, $"{Batches * RowsPerBatch} draws cannot catch a {SmallestBug} bug at alpha {alpha}; {required} needed.");
        ChiSquare.GoodnessOfFit(cells.Observed, cells.Probabilities).AssertNotRejected(alpha);
    }
}
