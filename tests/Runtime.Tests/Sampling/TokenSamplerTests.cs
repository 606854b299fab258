using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Sampling;

public sealed class TokenSamplerTests
{
    private const double Exact = 1e-12;

    public static TheoryData<double[], double, int, double, double[]> HandComputedLaws
    {
        get
        {
            var (r4, r3) = (Math.Sqrt(0.4), Math.Sqrt(0.3));
            return new()
            {
                // probabilities in, temperature, top_k, top_p, law out
                { [0.5, 0.3, 0.2], 1.0, 0, 1.0, [0.5, 0.3, 0.2] },
                { [0.5, 0.3, 0.2], 0.5, 0, 1.0, [0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38] }, // p² renormalized
                { [0.5, 0.3, 0.2], 1.0, 2, 1.0, [0.625, 0.375, 0.0] },
                { [0.5, 0.3, 0.2], 1.0, 3, 1.0, [0.5, 0.3, 0.2] }, // k = V is off
                { [0.4, 0.3, 0.3], 1.0, 2, 1.0, [0.4, 0.3, 0.3] }, // a tie at the k-th value is kept
                { [0.4, 0.3, 0.3], 1.0, 1, 1.0, [1.0, 0.0, 0.0] },
                { [0.2, 0.5, 0.3], 1.0, 0, 0.7, [0.0, 0.625, 0.375] }, // mass before 0.2 is 0.8 ≥ 0.7
                { [0.2, 0.5, 0.3], 1.0, 0, 0.85, [0.2, 0.5, 0.3] }, // mass before 0.2 is 0.8 < 0.85
                { [0.2, 0.5, 0.3], 1.0, 0, 1e-9, [0.0, 1.0, 0.0] }, // the first is always kept
                { [0.3, 0.3, 0.4], 1.0, 0, 0.5, [3.0 / 7, 0.0, 4.0 / 7] }, // sorted 0.4, id 0, id 1 (stable); before id 1: 0.7 ≥ 0.5
                { [0.4, 0.3, 0.2, 0.1], 2.0, 3, 0.6, [r4 / (r4 + r3), r3 / (r4 + r3), 0.0, 0.0] }, // √p, drop 0.1, then top-p
                { [0.5, 0.0, 0.5], 2.0, 0, 1.0, [0.5, 0.0, 0.5] }, // −∞ stays impossible
                { [0.4, 0.4, 0.2], 0.0, 0, 1.0, [1.0, 0.0, 0.0] }, // greedy: lowest index among maxima
                { [0.1, 0.2, 0.7], 0.0, 1, 0.1, [0.0, 0.0, 1.0] },
            };
        }
    }

    [Theory]
    [MemberData(nameof(HandComputedLaws))]
    public void TransformedLogProbs_IsTheHandComputedLaw(double[] probabilities, double temperature, int topK, double topP, double[] expected)
    {
        var options = new SamplingOptions(temperature, topK, topP);
        var logProbs = Array.ConvertAll(probabilities, Math.Log);
        using var input = tensor(logProbs, [1, logProbs.Length], float64);

        using var transformed = TokenSampler.TransformedLogProbs(input, options);

        AssertLaw(expected, transformed.data<double>().ToArray());
        AssertLaw(expected, TokenSampler.TransformedLogProbsReference(logProbs, options));
    }

    [Fact]
    public void TransformedLogProbs_TreatsUnnormalizedLogitsAsLogits()
    {
        using var logits = tensor(new[] { 2.0, 1.0, 0.0 }, [1, 3], float64);
        var z = Math.Exp(2) + Math.Exp(1) + 1;

        using var transformed = TokenSampler.TransformedLogProbs(logits, new SamplingOptions());

        AssertLaw([Math.Exp(2) / z, Math.Exp(1) / z, 1 / z], transformed.data<double>().ToArray());
    }

    [Fact]
    public void Sample_Greedy_TakesTheLowestIndexAmongMaxima_WhateverTheKeys()
    {
        using var logProbs = tensor(new[] { -1.0, -0.5, -0.5, -2.0, double.NegativeInfinity, 0.0, 0.0, -3.0 }, [2, 4], float64);
        var greedy = new SamplingOptions(Temperature: 0.0);

        foreach (var step in new long[] { 0, 1, 99 })
        {
            using var keys = tensor(new long[] { step * 7, uint.MaxValue - step });
            using var tokens = TokenSampler.Sample(logProbs, greedy, keys, step);
            Assert.Equal([1L, 1L], tokens.data<long>().ToArray());
        }

        Assert.Equal(1, TokenSampler.SampleReference([-1.0, -0.5, -0.5, -2.0], greedy, 3u, 0));
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void Sample_EqualsTheCSharpReference_OnManyRandomRows()
    {
        SamplingOptions[] optionSets =
        [
            new(1.0, 0, 1.0), new(0.7, 0, 0.9), new(1.3, 5, 1.0), new(0.5, 3, 0.8),
            new(2.0, 0, 0.5), new(1.0, 1, 1.0), new(0.3, 10, 0.95), new(0.0, 0, 1.0), new(1e-3, 0, 1.0),
            new(1.0, 0, 1.0, 0.05), new(0.7, 5, 0.9, 0.2), new(1.5, 0, 1.0, 1.0), new(0.0, 0, 1.0, 0.5),
        ];
        var random = new Random(7);
        var lastUlpDifferences = 0L;
        var compared = 0L;
        foreach (var vocabularySize in new[] { 2, 3, 7, 50, 1000 })
        {
            foreach (var options in optionSets)
            {
                const int rows = 100;
                var logits = RandomRows(random, rows, vocabularySize);
                var keys = Enumerable.Range(0, rows).Select(_ => (long)(uint)random.NextInt64(0, 1L << 32)).ToArray();
                var step = random.NextInt64(0, 1_000_000);
                using var logitTensor = tensor(logits, [rows, vocabularySize], float64);
                using var keyTensor = tensor(keys);

                using var tokens = TokenSampler.Sample(logitTensor, options, keyTensor, step);
                using var transformed = TokenSampler.TransformedLogProbs(logitTensor, options);
                var tokenValues = tokens.data<long>().ToArray();
                var transformedValues = transformed.data<double>().ToArray();
                for (var r = 0; r < rows; r++)
                {
                    var row = logits.AsSpan(r * vocabularySize, vocabularySize).ToArray();
                    var expected = TokenSampler.SampleReference(row, options, (uint)keys[r], step);
                    Assert.True(expected == tokenValues[r], $"V = {vocabularySize}, {options}, row {r}: tensor {tokenValues[r]} ≠ reference {expected}.");

                    var reference = TokenSampler.TransformedLogProbsReference(row, options);
                    for (var v = 0; v < vocabularySize; v++)
                    {
                        var actual = transformedValues[r * vocabularySize + v];
                        Assert.Equal(double.IsNegativeInfinity(reference[v]), double.IsNegativeInfinity(actual));
                        if (!double.IsNegativeInfinity(actual))
                        {
                            Assert.Equal(reference[v], actual, Exact * Math.Max(1.0, Math.Abs(reference[v])));
                            compared++;
                            lastUlpDifferences += reference[v] == actual ? 0 : 1;
                        }
                    }
                }
            }
        }

        // Not asserted: how often torch (SLEEF exp/log, vectorized sums) and .NET round differently.
        Console.WriteLine($"Transformed log-probs differing in the last bits: {lastUlpDifferences} of {compared}.");
    }

    [Fact]
    public void Sample_IsBatchInvariant_AndRepeatable()
    {
        const int vocabularySize = 50;
        var random = new Random(11);
        var options = new SamplingOptions(0.8, 20, 0.9);
        var logits = RandomRows(random, 40, vocabularySize);
        var keys = Enumerable.Range(0, 40).Select(i => (long)CounterRandom.RowKey(5UL, 0, 0, i)).ToArray();
        using var logitTensor = tensor(logits, [40, vocabularySize], float64);
        using var keyTensor = tensor(keys);
        using var batchTokens = TokenSampler.Sample(logitTensor, options, keyTensor, step: 3);
        using var batchLaw = TokenSampler.TransformedLogProbs(logitTensor, options);
        var batch = batchTokens.data<long>().ToArray();

        using (var again = TokenSampler.Sample(logitTensor, options, keyTensor, step: 3))
        {
            Assert.Equal(batch, again.data<long>().ToArray());
        }

        // Each row alone.
        for (var r = 0; r < 40; r++)
        {
            using var row = logitTensor.narrow(0, r, 1);
            using var key = keyTensor.narrow(0, r, 1);
            using var alone = TokenSampler.Sample(row, options, key, step: 3);
            using var aloneLaw = TokenSampler.TransformedLogProbs(row, options);
            Assert.Equal(batch[r], alone.item<long>());
            using var batchRow = batchLaw.narrow(0, r, 1);
            Assert.Equal( // bit for bit, not within a tolerance
                batchRow.data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits),
                aloneLaw.data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits));
        }

        // The rows reversed and interleaved with 30 unrelated rows.
        var others = RandomRows(random, 30, vocabularySize);
        var mixedLogits = new List<double>();
        var mixedKeys = new List<long>();
        var positionOf = new int[40];
        for (var i = 0; i < 40; i++)
        {
            var r = 39 - i;
            if (i < 30)
            {
                mixedLogits.AddRange(others.AsSpan(i * vocabularySize, vocabularySize).ToArray());
                mixedKeys.Add(1000 + i);
            }

            positionOf[r] = mixedKeys.Count;
            mixedLogits.AddRange(logits.AsSpan(r * vocabularySize, vocabularySize).ToArray());
            mixedKeys.Add(keys[r]);
        }

        using var mixedTensor = tensor(mixedLogits.ToArray(), [mixedKeys.Count, vocabularySize], float64);
        using var mixedKeyTensor = tensor(mixedKeys.ToArray());
        using var mixedTokens = TokenSampler.Sample(mixedTensor, options, mixedKeyTensor, step: 3);
        var mixed = mixedTokens.data<long>().ToArray();
        for (var r = 0; r < 40; r++)
        {
            Assert.Equal(batch[r], mixed[positionOf[r]]);
        }
    }

    [Fact]
    public void Sample_LeavesNoLiveTensorsBehind()
    {
        using var logits = tensor(new[] { -1.0, -2.0, -0.5, -3.0 }, [2, 2], float64);
        using var keys = tensor(new long[] { 1, 2 });
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        TokenSampler.Sample(logits, new SamplingOptions(0.9, 1, 0.9), keys, 0).Dispose();
        TokenSampler.TransformedLogProbs(logits, new SamplingOptions(0.9, 1, 0.9)).Dispose();
        TokenSampler.Sample(logits, new SamplingOptions(0.0), keys, 0).Dispose();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>Random logits with some −∞ entries and some exact ties, never a row without a finite entry.</summary>
    internal static double[] RandomRows(Random random, int rows, int vocabularySize)
    {
        var values = new double[rows * vocabularySize];
        for (var r = 0; r < rows; r++)
        {
            var scale = random.NextDouble() * 4;
            for (var v = 0; v < vocabularySize; v++)
            {
                var u = random.NextDouble();
                values[r * vocabularySize + v] = u < 0.1 ? double.NegativeInfinity
                    : u < 0.2 && v > 0 ? values[r * vocabularySize + v - 1]
                    : scale * (random.NextDouble() * 2 - 1) * 3;
            }

            values[r * vocabularySize + random.Next(vocabularySize)] = random.NextDouble();
        }

        return values;
    }

    internal static void AssertLaw(double[] expected, double[] logProbs)
    {
        Assert.Equal(expected.Length, logProbs.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] == 0.0)
            {
                Assert.Equal(double.NegativeInfinity, logProbs[i]);
            }
            else
            {
                Assert.Equal(expected[i], Math.Exp(logProbs[i]), Exact);
            }
        }
    }
}
