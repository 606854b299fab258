using TorchSharp;
using Tts.Runtime.Randomness;
using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Resampling;

public sealed class ResamplerTests
{
    public static TheoryData<string> Schemes => new(Resampler.All.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Resample_EqualsTheCSharpReference_BitForBit(string scheme)
    {
        var resampler = Resampler.ByName(scheme);
        var random = new Random(3);
        foreach (var particles in new[] { 1, 2, 3, 5, 16, 100 })
        {
            const int runs = 60;
            var logWeights = ResamplingData.RandomLogWeights(random, runs, particles);
            var keys = Enumerable.Range(0, runs).Select(_ => (long)(uint)random.NextInt64(0, 1L << 32)).ToArray();
            var step = random.NextInt64(0, 1L << 40);
            using var weightTensor = tensor(logWeights, [runs, particles], float64);
            using var keyTensor = tensor(keys);

            using var result = resampler.Resample(weightTensor, keyTensor, step);

            var ancestors = result.Ancestors.data<long>().ToArray();
            var alive = result.Alive.data<bool>().ToArray();
            for (var run = 0; run < runs; run++)
            {
                var row = logWeights.AsSpan(run * particles, particles).ToArray();
                var (expected, expectedAlive) = resampler.ResampleReference(row, (uint)keys[run], step);
                Assert.Equal(expectedAlive, alive[run]);
                Assert.Equal(expected, ancestors.AsSpan(run * particles, particles).ToArray());
                Assert.Equal(row.Any(double.IsFinite), alive[run]);
                if (alive[run])
                {
                    Assert.All(expected, a => Assert.True(double.IsFinite(row[a]), $"{scheme} chose dead particle {a} in run {run}."));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Resample_OfARun_DoesNotDependOnTheBatch(string scheme)
    {
        var resampler = Resampler.ByName(scheme);
        const int particles = 7;
        var random = new Random(5);
        var mine = ResamplingData.RandomLogWeights(random, 1, particles);
        using var myKeys = Resampler.RunKeys(seed: 9, firstRun: 4, runs: 1, stream: 2);
        using var myWeights = tensor(mine, [1, particles], float64);
        using var alone = resampler.Resample(myWeights, myKeys, step: 6);

        // The same run as row 13 of 30, among unrelated runs with their own keys.
        var batch = ResamplingData.RandomLogWeights(random, 30, particles);
        mine.CopyTo(batch, 13 * particles);
        using var batchKeys = Resampler.RunKeys(seed: 9, firstRun: -9, runs: 30, stream: 2);
        using var batchWeights = tensor(batch, [30, particles], float64);
        using var inBatch = resampler.Resample(batchWeights, batchKeys, step: 6);

        using var row = inBatch.Ancestors.narrow(0, 13, 1);
        Assert.Equal(alone.Ancestors.data<long>().ToArray(), row.data<long>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void AllDeadRun_IsReportedDead_WithIdentityAncestors_AndLeavesOtherRunsAlone(string scheme)
    {
        var resampler = Resampler.ByName(scheme);
        var ninf = double.NegativeInfinity;
        using var weights = tensor(new[] { ninf, ninf, ninf, -1.0, ninf, -1.0 }, [2, 3], float64);
        using var keys = Resampler.RunKeys(1, 0, 2, 0);

        using var result = resampler.Resample(weights, keys, 0);

        Assert.Equal([false, true], result.Alive.data<bool>().ToArray());
        var ancestors = result.Ancestors.data<long>().ToArray();
        Assert.Equal([0L, 1L, 2L], ancestors[..3]);
        Assert.All(ancestors[3..], a => Assert.NotEqual(1L, a));
        Assert.Equal(resampler.ResampleReference([-1.0, ninf, -1.0], CounterRandom.RowKey(1, 1, 0, Resampler.ResamplingParticle), 0).Ancestors, ancestors[3..]);
        var (referenceAncestors, referenceAlive) = resampler.ResampleReference([ninf, ninf, ninf], 1u, 0);
        Assert.Equal([0L, 1L, 2L], referenceAncestors);
        Assert.False(referenceAlive);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void OneLiveParticle_TakesEverySlot(string scheme)
    {
        var ninf = double.NegativeInfinity;
        using var weights = tensor(new[] { ninf, ninf, 3.0, ninf }, [1, 4], float64);
        using var keys = Resampler.RunKeys(2, 0, 1, 0);
        using var result = Resampler.ByName(scheme).Resample(weights, keys, 0);
        Assert.Equal([2L, 2L, 2L, 2L], result.Ancestors.data<long>().ToArray());
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void NaN_And_PositiveInfinity_AreClearErrors(double bad, string shown)
    {
        using var weights = tensor(new[] { 0.0, 0.0, 0.0, 0.0, 0.0, bad }, [2, 3], float64);
        using var keys = Resampler.RunKeys(1, 0, 2, 0);
        foreach (var resampler in Resampler.All)
        {
            var error = Assert.Throws<ArgumentException>(() => resampler.Resample(weights, keys, 0));
            Assert.StartsWith($"Log-weights must not be NaN or +∞, but the log-weight at [1, 2] is {shown}", error.Message, StringComparison.Ordinal);
            var referenceError = Assert.Throws<ArgumentException>(() => resampler.ResampleReference([0.0, bad], 1u, 0));
            Assert.StartsWith($"Log-weights must not be NaN or +∞, but the log-weight at [1] is {shown}", referenceError.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ByName_KnowsTheFourSchemes_AndRejectsOthers()
    {
        Assert.Equal(["multinomial", "stratified", "systematic", "residual"], Resampler.All.Select(r => r.Name));
        Assert.IsType<ResidualResampler>(Resampler.ByName("residual"));
        var error = Assert.Throws<ArgumentException>(() => Resampler.ByName("Systematic"));
        Assert.StartsWith("Unknown resampler 'Systematic'; expected one of multinomial, stratified, systematic, residual.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToGlobalRows_OffsetsEachRunByItsFirstRow()
    {
        using var ancestors = tensor(new long[] { 2, 2, 0, 1, 1, 1 }, [2, 3]);
        using var rows = Resampler.ToGlobalRows(ancestors);
        Assert.Equal([2L, 2L, 0L, 4L, 4L, 4L], rows.data<long>().ToArray());
        using var topTwoOfFour = tensor(new long[] { 3, 0, 1, 2 }, [2, 2]);
        using var topRows = Resampler.ToGlobalRows(topTwoOfFour, particlesPerRun: 4);
        Assert.Equal([3L, 0L, 5L, 6L], topRows.data<long>().ToArray());
    }

    [Fact]
    public void Resampling_AndWeightArithmetic_LeaveNoLiveTensorsBehind()
    {
        using var weights = tensor(new[] { 0.0, -1.0, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity }, [2, 3], float64);
        using var keys = Resampler.RunKeys(1, 0, 2, 0);
        using var evidence = new EvidenceAccumulator(2);
        using var column = keys.reshape(2, 1);
        void Work()
        {
            foreach (var resampler in Resampler.All)
            {
                resampler.Resample(weights, keys, 0).Dispose();
            }

            WeightMath.LogSumExp(weights).Dispose();
            WeightMath.EffectiveSampleSize(weights).Dispose();
            WeightMath.EssBelow(weights, 0.5).Dispose();
            evidence.Add(weights, weights);
            Resampler.ToGlobalRows(column).Dispose();
        }

        Work(); // warm up lazily created state
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Work();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>
    /// Exact offspring bounds over many random weight vectors: systematic counts are ⌊N·w̄⌋ or ⌈N·w̄⌉, stratified
    /// within one more on either side, residual at least ⌊N·w̄⌋ with its deterministic copies first; every
    /// scheme fills exactly N slots with live particles. The 1e-9 slack absorbs rounding when N·w̄ is an integer.
    /// </summary>
    [Fact]
    public void OffspringCounts_StayWithinEachSchemesBounds()
    {
        const double slack = 1e-9;
        var random = new Random(17);
        foreach (var particles in new[] { 1, 2, 4, 10, 33 })
        {
            const int runs = 300;
            var logWeights = ResamplingData.RandomLogWeights(random, runs, particles);
            using var weightTensor = tensor(logWeights, [runs, particles], float64);
            using var keys = Resampler.RunKeys(17, 0, runs, particles);
            foreach (var resampler in Resampler.All)
            {
                using var result = resampler.Resample(weightTensor, keys, step: 1);
                var ancestors = result.Ancestors.data<long>().ToArray();
                for (var run = 0; run < runs; run++)
                {
                    var row = logWeights.AsSpan(run * particles, particles).ToArray();
                    var expected = ResamplingData.ExpectedCounts(row);
                    if (expected is null)
                    {
                        continue; // a dead run: identity, checked elsewhere
                    }

                    var slots = ancestors.AsSpan(run * particles, particles).ToArray();
                    var counts = ResamplingData.Counts(slots, particles);
                    Assert.Equal(particles, counts.Sum());
                    for (var i = 0; i < particles; i++)
                    {
                        var (low, high) = (Math.Floor(expected[i] - slack), Math.Ceiling(expected[i] + slack));
                        var message = $"{resampler} N = {particles} run {run} particle {i}: count {counts[i]}, N·w̄ = {expected[i]:R}";
                        switch (resampler)
                        {
                            case SystematicResampler:
                                Assert.True(low <= counts[i] && counts[i] <= high, message);
                                break;
                            case StratifiedResampler:
                                Assert.True(low - 1 <= counts[i] && counts[i] <= high + 1, message);
                                break;
                            case ResidualResampler:
                                Assert.True(low <= counts[i], message);
                                break;
                        }

                        if (expected[i] == 0.0)
                        {
                            Assert.Equal(0, counts[i]);
                        }
                    }

                    if (resampler is SystematicResampler or StratifiedResampler)
                    {
                        Assert.Equal(slots.Order(), slots); // points increase, so ancestors do
                    }
                }
            }
        }
    }
}
