using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Sampling;

/// <summary>The sampler's statistical assertion (counted in <see cref="StatisticalAssertions.Count"/>).</summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class TokenSamplerStatisticalTests
{
    /// <summary>Fixed in CI, so the test is deterministic; the alpha budget covers fresh-seed runs.</summary>
    private const ulong Seed = 20_250_101UL;

    private const int Draws = 30_000;

    /// <summary>The smallest bug that must be caught: 2% of mass moved between cells (total variation 0.02).</summary>
    private const double SmallestBug = 0.02;

    /// <summary>Chance of missing that bug.</summary>
    private const double Beta = 1e-3;

    [Fact]
    public void Sample_FollowsTheTransformedLaw_ByChiSquare()
    {
        double[] probabilities = [0.4, 0.25, 0.15, 0.12, 0.08];
        var options = new SamplingOptions(Temperature: 0.7, TopP: 0.9);
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);

        using var row = tensor(Array.ConvertAll(probabilities, Math.Log), [1, probabilities.Length], float64);
        using var law = TokenSampler.TransformedLogProbs(row, options);
        var expected = Array.ConvertAll(law.data<double>().ToArray(), Math.Exp);
        Assert.Equal(0.0, expected[^1]); // top-p removes the last token: any draw of it fails outright

        // Independent draws: one row per particle, each with its own key, all in one batch.
        using var rows = row.repeat(Draws, 1);
        using var keys = tensor(Enumerable.Range(0, Draws).Select(i => (long)CounterRandom.RowKey(Seed, 0, 0, i)).ToArray());
        using var tokens = TokenSampler.Sample(rows, options, keys, step: 0);
        var observed = new long[probabilities.Length];
        foreach (var token in tokens.data<long>())
        {
            observed[token]++;
        }

        var cells = ChiSquare.MergeSmallCells(observed, expected);
        var required = ChiSquare.RequiredSampleSize(cells.Probabilities, SmallestBug, alpha, Beta);
        Assert.True(required <= Draws, $"{Draws} draws cannot catch a {SmallestBug} bug at alpha {alpha}; {required} needed.");
        ChiSquare.GoodnessOfFit(cells.Observed, cells.Probabilities).AssertNotRejected(alpha);
    }
}
