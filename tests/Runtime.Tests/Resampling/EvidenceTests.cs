using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Resampling;

/// <summary>log Ẑ = Σ_t LSE_i(log W̄_{t−1,i} + log w_{t,i}), checked on the cases TESTING.md names.</summary>
public sealed class EvidenceTests
{
    private const double NegativeInfinity = double.NegativeInfinity;

    /// <summary>
    /// Constant log-weight c at every step: log Ẑ is c added T times, bit for bit, with or without a reset to
    /// uniform weights (what resampling leaves) in between; for a c whose multiples are exact (−1.25) that is
    /// c·T exactly. Resampling through a population is checked in PopulationTests.
    /// </summary>
    [Theory]
    [InlineData(-1.25, false)]
    [InlineData(-1.25, true)]
    [InlineData(-1.2039728043259361, true)] // ln 0.3
    [InlineData(3.7, false)]
    public void ConstantLogWeights_GiveCTimesT_Exactly(double c, bool resampleEveryStep)
    {
        const int runs = 3;
        const int particles = 5;
        const int steps = 6;
        using var evidence = new EvidenceAccumulator(runs);
        var logWeights = zeros(runs, particles, float64);
        using var increment = full(runs, particles, c, float64);
        var expected = 0.0;
        for (var step = 0; step < steps; step++)
        {
            evidence.Add(logWeights, increment);
            var next = logWeights + increment;
            logWeights.Dispose();
            logWeights = next;
            expected += c;
            if (resampleEveryStep)
            {
                logWeights.Dispose();
                logWeights = zeros(runs, particles, float64);
            }
        }

        logWeights.Dispose();
        Assert.All(evidence.LogEvidence.data<double>().ToArray(), z => Assert.Equal(expected, z));
        if (c == -1.25)
        {
            Assert.Equal(c * steps, expected);
        }
    }

    [Fact]
    public void SomeDeadParticles_LoseTheirShareOfTheMass()
    {
        // Step 1 kills particle 2 of 4 and gives the rest c: Ẑ₁ = ¾·e^c. Step 2 gives the live ones c again.
        const double c = -0.7;
        double[] first = [c, c, NegativeInfinity, c];
        var afterFirst = first;
        double[] second = [c, c, 5.0, c]; // the dead particle's increment must not count

        using var evidence = new EvidenceAccumulator(1);
        using var uniform = zeros(1, 4, float64);
        using var firstTensor = tensor(first, [1, 4], float64);
        using var secondTensor = tensor(second, [1, 4], float64);
        evidence.Add(uniform, firstTensor);
        evidence.Add(firstTensor, secondTensor);

        var expected = c + Math.Log(0.75) + c;
        Assert.Equal(expected, evidence.LogEvidence.item<double>(), 1e-12);
        Assert.Equal(c + Math.Log(0.75), EvidenceAccumulator.IncrementReference([0, 0, 0, 0], first), 1e-12);
        Assert.Equal(c, EvidenceAccumulator.IncrementReference(afterFirst, second));
    }

    [Fact]
    public void AllDead_GivesMinusInfinity_AndStaysThere_NeverNaN()
    {
        using var evidence = new EvidenceAccumulator(2);
        using var uniform = zeros(2, 3, float64);
        using var killRunZero = tensor(new[] { NegativeInfinity, NegativeInfinity, NegativeInfinity, 0.5, 0.5, 0.5 }, [2, 3], float64);
        evidence.Add(uniform, killRunZero);
        using var weights = uniform + killRunZero;
        using var next = tensor(new[] { 1.0, 2.0, 3.0, 0.0, NegativeInfinity, 0.0 }, [2, 3], float64);
        evidence.Add(weights, next);

        var values = evidence.LogEvidence.data<double>().ToArray();
        Assert.Equal(NegativeInfinity, values[0]);
        Assert.Equal(0.5 + Math.Log(2.0 / 3.0), values[1], 1e-12);
        Assert.Equal(NegativeInfinity, EvidenceAccumulator.IncrementReference([NegativeInfinity, NegativeInfinity], [1.0, 2.0]));
        Assert.Equal(NegativeInfinity, EvidenceAccumulator.IncrementReference([0.0, 0.0], [NegativeInfinity, NegativeInfinity]));
    }

    [Fact]
    public void Increment_EqualsTheReference_AndTheLogMeanOfTheIncrementalWeights()
    {
        var random = new Random(29);
        const int runs = 150;
        const int particles = 6;
        var logWeights = ResamplingData.RandomLogWeights(random, runs, particles);
        var increments = ResamplingData.RandomLogWeights(random, runs, particles);
        using var weightTensor = tensor(logWeights, [runs, particles], float64);
        using var incrementTensor = tensor(increments, [runs, particles], float64);
        using var result = EvidenceAccumulator.Increment(weightTensor, incrementTensor);
        var values = result.data<double>().ToArray();
        for (var run = 0; run < runs; run++)
        {
            var lw = logWeights.AsSpan(run * particles, particles).ToArray();
            var step = increments.AsSpan(run * particles, particles).ToArray();
            var reference = EvidenceAccumulator.IncrementReference(lw, step);
            // The textbook form: LSE(lw + step) − LSE(lw).
            var textbook = WeightMath.LogSumExpReference(lw.Zip(step, (a, b) => a + b).ToArray()) - WeightMath.LogSumExpReference(lw);
            foreach (var expected in new[] { reference, double.IsNaN(textbook) ? NegativeInfinity : textbook })
            {
                if (double.IsNegativeInfinity(expected))
                {
                    Assert.Equal(expected, values[run]);
                }
                else
                {
                    Assert.Equal(expected, values[run], 1e-12 * Math.Max(1.0, Math.Abs(expected)));
                }
            }
        }
    }

    [Fact]
    public void Increment_RejectsNaN_AndMismatchedShapes()
    {
        using var weights = zeros(1, 2, float64);
        using var nan = tensor(new[] { 0.0, double.NaN }, [1, 2], float64);
        using var wide = zeros(1, 3, float64);
        var error = Assert.Throws<ArgumentException>(() => EvidenceAccumulator.Increment(weights, nan));
        Assert.StartsWith("Log-weights must not be NaN or +∞, but the log-weight at [0, 1] is NaN.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EvidenceAccumulator.Increment(weights, wide));
    }
}
