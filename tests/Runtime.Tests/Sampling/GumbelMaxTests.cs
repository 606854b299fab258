using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Sampling;

/// <summary>
/// The host Gumbel-max (<see cref="GumbelMax"/>) skips the noise of lanes that cannot win: it must return exactly the
/// argmax of every lane's perturbed score computed in full, on rows of every shape the skip bound meets.
/// </summary>
public sealed class GumbelMaxTests
{
    public static TheoryData<int> VocabularySizes => new() { 1, 2, 7, 127, 128, 129, 1000, 32_000 };

    [Theory]
    [MemberData(nameof(VocabularySizes))]
    public void ArgMax_EqualsTheFullEvaluation_OnEveryKindOfRow(int vocabularySize)
    {
        var random = new Random(vocabularySize);
        var laneMixed = CounterRandom.LaneHashes(vocabularySize);
        var rows = vocabularySize >= 32_000 ? 60 : 400;
        foreach (var temperature in new[] { 1.0, 0.7, 2.5, 1e-3 })
        {
            for (var r = 0; r < rows; r++)
            {
                var values = Row(random, vocabularySize, kind: r % 6);
                var key = (uint)random.NextInt64(0, 1L << 32);
                var step = random.NextInt64(0, 1L << 40);
                var expected = FullEvaluation(values, temperature, key, step);
                var actual = GumbelMax.ArgMax(values, temperature, key, step, laneMixed);
                Assert.True(expected == actual, $"V = {vocabularySize}, T = {temperature}, row {r} (kind {r % 6}): kernel {actual} ≠ full {expected}.");
            }
        }
    }

    [Fact]
    public void ArgMax_OfARowWithoutAFiniteValue_IsZero_AsTorchsArgmax()
    {
        var values = Enumerable.Repeat(double.NegativeInfinity, 300).ToArray();
        Assert.Equal(0, GumbelMax.ArgMax(values, 1.0, 5u, 3, CounterRandom.LaneHashes(300)));
    }

    [Fact]
    public void TheNoise_AtTheExtremeUniforms_IsFiniteAndInRange()
    {
        // u = (h + 0.5)·2⁻³² for h = 0 and h = 2³² − 1: in float32 the second rounds to 1 and −log(−log u) would be +∞.
        var smallest = -Math.Log(-Math.Log(0.5 / 4294967296.0));
        var largest = -Math.Log(-Math.Log((uint.MaxValue + 0.5) / 4294967296.0));
        Assert.InRange(smallest, -3.2, -3.1);
        Assert.InRange(largest, 22.8, 22.9);
        Assert.Equal(1.0f, (float)((uint.MaxValue + 0.5) / 4294967296.0)); // the trap a float32 port must avoid
    }

    [Fact]
    public void Sample_OnTheHost_EqualsTheTensorPath_AndTheReference_AtALargeVocabulary()
    {
        const int vocabularySize = 32_000;
        const int rows = 48;
        var random = new Random(23);
        SamplingOptions[] optionSets = [new(1.0), new(0.8), new(1.0, 50), new(0.9, 0, 0.9), new(1.0, 0, 1.0, 0.05)];
        foreach (var options in optionSets)
        {
            var logits = new double[rows * vocabularySize];
            for (var r = 0; r < rows; r++)
            {
                Row(random, vocabularySize, kind: r % 6).CopyTo(logits, r * vocabularySize);
            }

            var keys = Enumerable.Range(0, rows).Select(r => (long)CounterRandom.RowKey(9UL, 0, 0, r)).ToArray();
            using var input = tensor(logits, [rows, vocabularySize], float64);
            using var keyTensor = tensor(keys);
            const long step = 123_456_789_012;
            using var onHost = TokenSampler.Sample(input, options, keyTensor, step);
            using var transformed = TokenSampler.TransformedLogProbs(input, options);
            using var perturbed = TokenSampler.GumbelPerturbed(transformed, keyTensor, step);
            using var withTensorOps = perturbed.argmax(1);
            Assert.Equal(withTensorOps.data<long>().ToArray(), onHost.data<long>().ToArray());
            var tokens = onHost.data<long>().ToArray();
            for (var r = 0; r < rows; r++)
            {
                var row = logits.AsSpan(r * vocabularySize, vocabularySize).ToArray();
                Assert.Equal(TokenSampler.SampleReference(row, options, (uint)keys[r], step), (int)tokens[r]);
            }
        }
    }

    /// <summary>argmax_v (score_v + G_v) over every lane, with the reference's arithmetic: what the kernel must return.</summary>
    private static int FullEvaluation(double[] values, double temperature, uint key, long step)
    {
        var max = values.Max();
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var v = 0; v < values.Length; v++)
        {
            var score = temperature == 1.0 ? values[v] : (values[v] - max) / temperature;
            var perturbed = score + -Math.Log(-Math.Log(CounterRandom.Uniform(key, step, v)));
            if (perturbed > bestScore)
            {
                (best, bestScore) = (v, perturbed);
            }
        }

        return best;
    }

    /// <summary>
    /// Rows the skip bound treats differently: near-uniform (the random model's, every lane a contender), peaked (most
    /// blocks never hashed), −∞ runs, exact ties, a huge magnitude, and a single finite value.
    /// </summary>
    private static double[] Row(Random random, int size, int kind)
    {
        var values = new double[size];
        for (var v = 0; v < size; v++)
        {
            values[v] = kind switch
            {
                0 => -Math.Log(size) + 0.01 * random.NextDouble(),
                1 => -30 * random.NextDouble() * random.NextDouble(),
                2 => random.NextDouble() < 0.5 ? double.NegativeInfinity : 3 * random.NextDouble(),
                3 => Math.Round(4 * random.NextDouble()) / 2,
                4 => 1e6 * (random.NextDouble() - 0.5),
                _ => double.NegativeInfinity,
            };
        }

        values[random.Next(size)] = kind == 4 ? 1e6 : 0.5;
        return values;
    }
}
