using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Resampling;

public sealed class WeightMathTests
{
    private const double Exact = 1e-12;
    private const double NegativeInfinity = double.NegativeInfinity;

    public static TheoryData<double[], double> LogSumExps => new()
    {
        { [0.0, 0.0, 0.0], Math.Log(3) },
        { [1000.0, 1000.0], 1000.0 + Math.Log(2) }, // exp(1000) overflows without the max shift
        { [-1000.0, NegativeInfinity], -1000.0 },
        { [NegativeInfinity, NegativeInfinity], NegativeInfinity },
        { [Math.Log(0.2), Math.Log(0.3), NegativeInfinity, Math.Log(0.5)], 0.0 },
        { [-2.5], -2.5 },
    };

    [Theory]
    [MemberData(nameof(LogSumExps))]
    public void LogSumExp_IsTheHandComputedValue(double[] values, double expected)
    {
        using var row = tensor(values, [1, values.Length], float64);
        using var lse = WeightMath.LogSumExp(row);
        AssertClose(expected, lse.item<double>());
        AssertClose(expected, WeightMath.LogSumExpReference(values));
    }

    public static TheoryData<double[], double> EffectiveSampleSizes => new()
    {
        { [0.0, 0.0, 0.0, 0.0], 4.0 },
        { [5.0, NegativeInfinity, NegativeInfinity], 1.0 },
        { [NegativeInfinity, NegativeInfinity], 0.0 }, // an all-dead run: 0, not NaN
        { [0.0, Math.Log(2), Math.Log(3)], 36.0 / 14.0 }, // (1 + 2 + 3)² / (1 + 4 + 9)
        { [-700.0, -700.0 + Math.Log(3)], 16.0 / 10.0 }, // exp(2·lw) underflows without the max shift
        { [800.0, 800.0, NegativeInfinity], 2.0 },
    };

    [Theory]
    [MemberData(nameof(EffectiveSampleSizes))]
    public void EffectiveSampleSize_IsTheHandComputedValue(double[] logWeights, double expected)
    {
        using var row = tensor(logWeights, [1, logWeights.Length], float64);
        using var ess = WeightMath.EffectiveSampleSize(row);
        Assert.Equal(expected, ess.item<double>(), Exact);
        Assert.Equal(expected, WeightMath.EffectiveSampleSizeReference(logWeights), Exact);
    }

    [Fact]
    public void TensorAndReference_Agree_AndEssLiesInOneToN()
    {
        var random = new Random(23);
        const int runs = 200;
        const int particles = 9;
        var logWeights = ResamplingData.RandomLogWeights(random, runs, particles);
        using var weights = tensor(logWeights, [runs, particles], float64);
        using var lse = WeightMath.LogSumExp(weights);
        using var ess = WeightMath.EffectiveSampleSize(weights);
        var lseValues = lse.data<double>().ToArray();
        var essValues = ess.data<double>().ToArray();
        for (var run = 0; run < runs; run++)
        {
            var row = logWeights.AsSpan(run * particles, particles).ToArray();
            AssertClose(WeightMath.LogSumExpReference(row), lseValues[run]);
            Assert.Equal(WeightMath.EffectiveSampleSizeReference(row), essValues[run], Exact * particles);
            var live = row.Count(double.IsFinite);
            if (live == 0)
            {
                Assert.Equal(0.0, essValues[run]);
            }
            else
            {
                Assert.InRange(essValues[run], 1.0 - Exact, live + Exact * particles);
            }
        }
    }

    [Fact]
    public void EssBelow_TriggersOnlyRunsBelowTheFractionOfN()
    {
        // ESS: 4 (uniform), 1 (one live), 36/14 ≈ 2.57 of N = 4 (one dead weight of zero), 0 (all dead).
        double[] logWeights =
        [
            0, 0, 0, 0,
            0, NegativeInfinity, NegativeInfinity, NegativeInfinity,
            0, Math.Log(2), Math.Log(3), NegativeInfinity,
            NegativeInfinity, NegativeInfinity, NegativeInfinity, NegativeInfinity,
        ];
        using var weights = tensor(logWeights, [4, 4], float64);
        bool[] Trigger(double threshold)
        {
            using var below = WeightMath.EssBelow(weights, threshold);
            return below.data<bool>().ToArray();
        }

        Assert.Equal([false, false, false, false], Trigger(0.0));
        Assert.Equal([false, true, false, true], Trigger(0.5)); // below 2
        Assert.Equal([false, true, true, true], Trigger(0.7)); // below 2.8
        Assert.Equal([true, true, true, true], Trigger(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trigger(double.NaN));
    }

    private static void AssertClose(double expected, double actual)
    {
        if (double.IsNegativeInfinity(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }

        Assert.Equal(expected, actual, Exact * Math.Max(1.0, Math.Abs(expected)));
    }
}
