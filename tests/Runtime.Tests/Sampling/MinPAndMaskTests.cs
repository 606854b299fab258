using TorchSharp;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Sampling;

public sealed class MinPAndMaskTests
{
    private const double Exact = 1e-12;

    public static TheoryData<double[], double, int, double, double, double[]> MinPLaws => new()
    {
        // probabilities in, temperature, top_k, top_p, min_p, law out
        { [0.5, 0.3, 0.2], 1.0, 0, 1.0, 0.5, [0.625, 0.375, 0.0] }, // keep p ≥ 0.25
        { [0.5, 0.3, 0.2], 1.0, 0, 1.0, 0.39, [0.5, 0.3, 0.2] }, // 0.2 ≥ 0.195
        { [0.5, 0.3, 0.2], 0.5, 0, 1.0, 0.4, [1.0, 0.0, 0.0] }, // p² ratios 1, 0.36, 0.16: after temperature
        { [0.4, 0.4, 0.2], 1.0, 0, 1.0, 1.0, [0.5, 0.5, 0.0] }, // min_p = 1 keeps every maximum
        // Top-p first (keeps 0.4, 0.3), then min-p 0.7 keeps both (ratio 0.75). The other order would keep only 0.4.
        { [0.4, 0.3, 0.2, 0.1], 1.0, 0, 0.5, 0.7, [4.0 / 7, 3.0 / 7, 0.0, 0.0] },
        { [0.4, 0.3, 0.2, 0.1], 1.0, 3, 1.0, 0.45, [4.0 / 9, 3.0 / 9, 2.0 / 9, 0.0] }, // top-k drops 0.1, min-p 0.18 keeps 0.2
        { [0.4, 0.4, 0.2], 0.0, 0, 1.0, 0.9, [1.0, 0.0, 0.0] }, // greedy ignores min-p
    };

    [Theory]
    [MemberData(nameof(MinPLaws))]
    public void TransformedLogProbs_WithMinP_IsTheHandComputedLaw(double[] probabilities, double temperature, int topK, double topP, double minP, double[] expected)
    {
        var options = new SamplingOptions(temperature, topK, topP, minP);
        var logProbs = Array.ConvertAll(probabilities, Math.Log);
        using var input = tensor(logProbs, [1, logProbs.Length], float64);

        using var transformed = TokenSampler.TransformedLogProbs(input, options);

        TokenSamplerTests.AssertLaw(expected, transformed.data<double>().ToArray());
        TokenSamplerTests.AssertLaw(expected, TokenSampler.TransformedLogProbsReference(logProbs, options));
    }

    [Fact]
    public void MinP_NeverEmitsATokenBelowTheThreshold()
    {
        var random = new Random(41);
        const int rows = 400;
        const int vocabularySize = 30;
        foreach (var options in new SamplingOptions[] { new(1.0, 0, 1.0, 0.2), new(0.6, 0, 1.0, 0.05), new(2.0, 0, 1.0, 0.9) })
        {
            var logits = TokenSamplerTests.RandomRows(random, rows, vocabularySize);
            using var logitTensor = tensor(logits, [rows, vocabularySize], float64);
            using var keys = tensor(Enumerable.Range(0, rows).Select(i => (long)CounterRandom.RowKey(41, 0, 0, i)).ToArray());
            using var tokens = TokenSampler.Sample(logitTensor, options, keys, step: 2);
            var sampled = tokens.data<long>().ToArray();
            for (var r = 0; r < rows; r++)
            {
                var row = logits.AsSpan(r * vocabularySize, vocabularySize).ToArray();
                // p_t / p_max after temperature = exp((x_t − max x) / T).
                var ratio = Math.Exp((row[sampled[r]] - row.Max()) / options.Temperature);
                Assert.True(ratio >= options.MinP * (1 - Exact), $"{options}, row {r}: token {sampled[r]} has ratio {ratio:R} < min_p.");
            }
        }
    }

    public static TheoryData<double[], bool[], double, int, double, double> MaskedMasses => new()
    {
        // probabilities, allowed, temperature, top_k, min_p, log Σ_allowed q
        { [0.5, 0.3, 0.2], [true, false, true], 1.0, 0, 0.0, Math.Log(0.7) },
        { [0.5, 0.3, 0.2], [false, true, true], 0.5, 0, 0.0, Math.Log(0.13 / 0.38) },
        { [0.5, 0.3, 0.2], [true, true, true], 1.3, 0, 0.0, 0.0 },
        { [0.5, 0.3, 0.2], [false, true, true], 1.0, 2, 0.0, Math.Log(0.375) }, // top-k renormalizes first
        { [0.5, 0.3, 0.2], [false, false, true], 1.0, 2, 0.0, double.NegativeInfinity }, // allowed but removed by top-k
        { [0.5, 0.3, 0.2], [false, false, true], 1.0, 0, 0.5, double.NegativeInfinity }, // removed by min-p
        { [0.5, 0.3, 0.2], [false, false, false], 1.0, 0, 0.0, double.NegativeInfinity }, // nothing allowed
        { [0.5, 0.3, 0.2], [true, false, false], 0.0, 0, 0.0, 0.0 }, // greedy token allowed
        { [0.5, 0.3, 0.2], [false, true, true], 0.0, 0, 0.0, double.NegativeInfinity }, // greedy token not allowed
    };

    [Theory]
    [MemberData(nameof(MaskedMasses))]
    public void SampleMasked_LogMass_IsTheEnumeratedValue_AndTheTokenIsAllowed(
        double[] probabilities, bool[] allowed, double temperature, int topK, double minP, double expectedLogMass)
    {
        var options = new SamplingOptions(temperature, topK, 1.0, minP);
        var logProbs = Array.ConvertAll(probabilities, Math.Log);
        using var input = tensor(logProbs, [1, logProbs.Length], float64);
        using var mask = tensor(allowed, [1, allowed.Length]);
        foreach (var step in new long[] { 0, 1, 2, 3, 4 })
        {
            using var keys = tensor(new[] { (long)CounterRandom.RowKey(5, 0, 0, (int)step) });
            using var result = TokenSampler.SampleMasked(input, options, mask, keys, step);
            var token = result.Tokens.item<long>();
            var logMass = result.LogAllowedMass.item<double>();
            var (referenceToken, referenceLogMass) = TokenSampler.SampleMaskedReference(logProbs, allowed, options, (uint)keys.item<long>(), step);
            Assert.Equal(referenceToken, token);
            if (double.IsNegativeInfinity(expectedLogMass))
            {
                Assert.Equal(TokenSampler.NoToken, token);
                Assert.Equal(expectedLogMass, logMass);
                Assert.Equal(expectedLogMass, referenceLogMass);
            }
            else
            {
                Assert.True(allowed[token], $"token {token} is not allowed");
                Assert.Equal(expectedLogMass, logMass, Exact);
                Assert.Equal(expectedLogMass, referenceLogMass, Exact);
            }
        }
    }

    /// <summary>
    /// On random rows and masks: tensor ≡ reference (tokens exactly), every token allowed and inside the
    /// transformed support, no token exactly where the mass is −∞, and Gumbel-max consistency: where the unmasked
    /// sample is allowed the masked one is the same token, and an all-true mask changes nothing.
    /// </summary>
    [Fact]
    public void SampleMasked_EqualsTheReference_StaysInItsSupport_AndAgreesWithSample()
    {
        var random = new Random(43);
        const int rows = 200;
        foreach (var vocabularySize in new[] { 2, 5, 40 })
        {
            foreach (var options in new SamplingOptions[] { new(1.0), new(0.7, 5, 0.9, 0.05), new(0.0), new(1.4, 0, 0.8) })
            {
                var logits = TokenSamplerTests.RandomRows(random, rows, vocabularySize);
                var allowed = new bool[rows * vocabularySize];
                for (var r = 0; r < rows; r++)
                {
                    var density = r % 10 == 0 ? 0.0 : r % 10 == 1 ? 1.0 : random.NextDouble();
                    for (var v = 0; v < vocabularySize; v++)
                    {
                        allowed[r * vocabularySize + v] = random.NextDouble() < density;
                    }
                }

                var keys = Enumerable.Range(0, rows).Select(_ => (long)(uint)random.NextInt64(0, 1L << 32)).ToArray();
                var step = random.NextInt64(0, 1000);
                using var logitTensor = tensor(logits, [rows, vocabularySize], float64);
                using var maskTensor = tensor(allowed, [rows, vocabularySize]);
                using var keyTensor = tensor(keys);
                using var masked = TokenSampler.SampleMasked(logitTensor, options, maskTensor, keyTensor, step);
                using var unmasked = TokenSampler.Sample(logitTensor, options, keyTensor, step);
                using var law = TokenSampler.TransformedLogProbs(logitTensor, options);
                var tokens = masked.Tokens.data<long>().ToArray();
                var masses = masked.LogAllowedMass.data<double>().ToArray();
                var free = unmasked.data<long>().ToArray();
                var lawValues = law.data<double>().ToArray();
                for (var r = 0; r < rows; r++)
                {
                    var row = logits.AsSpan(r * vocabularySize, vocabularySize).ToArray();
                    var rowAllowed = allowed.AsSpan(r * vocabularySize, vocabularySize).ToArray();
                    var (referenceToken, referenceMass) = TokenSampler.SampleMaskedReference(row, rowAllowed, options, (uint)keys[r], step);
                    var message = $"V = {vocabularySize}, {options}, row {r}";
                    Assert.True(referenceToken == tokens[r], $"{message}: tensor {tokens[r]} ≠ reference {referenceToken}.");
                    Assert.Equal(double.IsNegativeInfinity(referenceMass), double.IsNegativeInfinity(masses[r]));
                    if (double.IsNegativeInfinity(masses[r]))
                    {
                        Assert.Equal(TokenSampler.NoToken, tokens[r]);
                        continue;
                    }

                    Assert.Equal(referenceMass, masses[r], Exact * Math.Max(1.0, Math.Abs(referenceMass)));
                    Assert.True(rowAllowed[tokens[r]], $"{message}: token {tokens[r]} is not allowed.");
                    Assert.True(double.IsFinite(lawValues[r * vocabularySize + tokens[r]]), $"{message}: token {tokens[r]} is outside the transformed support.");
                    if (rowAllowed[free[r]])
                    {
                        Assert.Equal(free[r], tokens[r]);
                    }

                    if (rowAllowed.All(a => a))
                    {
                        Assert.Equal(0.0, masses[r], Exact);
                    }
                }
            }
        }
    }

    [Fact]
    public void SampleMasked_RejectsAMaskOfTheWrongShape()
    {
        using var logits = tensor(new[] { -1.0, -2.0, -0.5, -3.0 }, [2, 2], float64);
        using var keys = tensor(new long[] { 1, 2 });
        using var mask = ones(2, 3, ScalarType.Bool);
        var error = Assert.Throws<ArgumentException>(() => TokenSampler.SampleMasked(logits, new SamplingOptions(), mask, keys, 0));
        Assert.StartsWith("Expected a [2, 2] bool mask, got Bool of shape [2, 3].", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleMasked_LeavesNoLiveTensorsBehind()
    {
        using var logits = tensor(new[] { -1.0, -2.0, -0.5, -3.0 }, [2, 2], float64);
        using var keys = tensor(new long[] { 1, 2 });
        using var mask = tensor(new[] { true, false, false, false }, [2, 2]);
        TokenSampler.SampleMasked(logits, new SamplingOptions(0.9, 1, 0.9, 0.1), mask, keys, 0).Dispose();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        TokenSampler.SampleMasked(logits, new SamplingOptions(0.9, 1, 0.9, 0.1), mask, keys, 0).Dispose();
        TokenSampler.SampleMasked(logits, new SamplingOptions(0.0), mask, keys, 0).Dispose();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
