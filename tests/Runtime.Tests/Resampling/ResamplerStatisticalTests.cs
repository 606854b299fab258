using System.Globalization;
using Tts.Runtime.Resampling;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Resampling;

/// <summary>
/// The resamplers' statistical assertions (counted in <see cref="StatisticalAssertions.Count"/>), on the real
/// counter-based randomness: each replication is one run with its own key, all replications one batch.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class ResamplerStatisticalTests
{
    /// <summary>Fixed in CI, so the tests are deterministic; the alpha budget covers fresh-seed runs.</summary>
    private const ulong Seed = 20_250_301UL;

    // Headroom over the requirement asserted below, which grows (slowly) as StatisticalAssertions.Count grows.
    private const int Replications = 80_000;

    /// <summary>Chance of missing the smallest bug.</summary>
    private const double Beta = 1e-3;

    private static readonly double[] Weights = [0.43, 0.27, 0.19, 0.11];

    /// <summary>
    /// E[count_i] = N·w̄_i for every scheme, by per-index means over replications (not chi-square: the slots of
    /// one systematic, stratified or residual draw are dependent). Counts lie in [0, N], so Hoeffding applies
    /// with range N. Smallest bug: 2% of the N slots sent to the wrong particle, a shift of 0.02·N in one mean.
    /// </summary>
    [Fact]
    public void OffspringMeans_AreNTimesTheWeights_ForEveryScheme()
    {
        const double smallestBug = 0.02;
        var particles = Weights.Length;
        var comparisons = Resampler.All.Count * particles;
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count) / comparisons;
        var required = Hoeffding.RequiredSampleSize(particles, smallestBug * particles, alpha, Beta);
        Assert.True(required <= Replications, $"{Replications} replications cannot catch a {smallestBug} bug at alpha {alpha}; {required} needed.");
        var threshold = Hoeffding.Threshold(particles, Replications, alpha);

        foreach (var resampler in Resampler.All)
        {
            var counts = OffspringCounts(resampler);
            for (var i = 0; i < particles; i++)
            {
                var mean = counts.Average(c => c[i]);
                Assert.True(
                    Math.Abs(mean - particles * Weights[i]) < threshold,
                    string.Create(CultureInfo.InvariantCulture, $"{resampler}: mean count of particle {i} is {mean:R}, expected {particles * Weights[i]:R} within {threshold:R}."));
            }
        }
    }

    /// <summary>Multinomial slots are independent draws from w̄, so the pooled ancestors follow w̄ (chi-square).</summary>
    [Fact]
    public void Multinomial_Ancestors_FollowTheWeights_ByChiSquare()
    {
        const double smallestBug = 0.01;
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var observed = new long[Weights.Length];
        foreach (var counts in OffspringCounts(Resampler.Multinomial))
        {
            for (var i = 0; i < counts.Length; i++)
            {
                observed[i] += counts[i];
            }
        }

        var draws = observed.Sum();
        var required = ChiSquare.RequiredSampleSize(Weights, smallestBug, alpha, Beta);
        Assert.True(required <= draws, $"{draws} draws cannot catch a {smallestBug} bug at alpha {alpha}; {required} needed.");
        ChiSquare.GoodnessOfFit(observed, Weights).AssertNotRejected(alpha);
    }

    private static int[][] OffspringCounts(Resampler resampler)
    {
        var particles = Weights.Length;
        using var logWeights = tensor(Array.ConvertAll(Weights, Math.Log), [1, particles], float64);
        using var replicated = logWeights.repeat(Replications, 1);
        using var keys = Resampler.RunKeys(Seed, firstRun: 0, Replications, stream: 0);
        using var result = resampler.Resample(replicated, keys, step: 0);
        var ancestors = result.Ancestors.data<long>().ToArray();
        return Enumerable.Range(0, Replications)
            .Select(r => ResamplingData.Counts(ancestors.AsSpan(r * particles, particles).ToArray(), particles))
            .ToArray();
    }
}
