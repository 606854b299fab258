using Tts.Runtime.Randomness;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Randomness;

public sealed class CounterRandomTests
{
    [Theory]
    [InlineData(0x00000000u, 0x00000000u)]
    [InlineData(0x00000001u, 0x688990c0u)]
    [InlineData(0x00000002u, 0xd1132181u)]
    [InlineData(0x12345678u, 0xf5e71c96u)]
    [InlineData(0xFFFFFFFFu, 0x6768824au)]
    public void Mix_IsLowbias32(uint input, uint expected)
    {
        // Expected values computed independently (Python, arbitrary-precision integers masked to 32 bits).
        Assert.Equal(expected, CounterRandom.Mix(input));
    }

    [Fact]
    public void Combine_IsMixOfAXorMixOfBXorGolden()
    {
        Assert.Equal(CounterRandom.Mix(5u ^ CounterRandom.Mix(7u ^ 0x9E3779B9u)), CounterRandom.Combine(5u, 7u));
        Assert.NotEqual(CounterRandom.Combine(5u, 7u), CounterRandom.Combine(7u, 5u));
    }

    [Fact]
    public void RowKey_IsDistinctForEveryParticleOfAStream()
    {
        // Combine is a bijection in its last argument, so this holds for any seed, run and stream.
        var keys = Enumerable.Range(0, 100_000).Select(particle => CounterRandom.RowKey(42UL, 3, 1, particle)).ToHashSet();

        Assert.Equal(100_000, keys.Count);
        Assert.NotEqual(CounterRandom.RowKey(42UL, 3, 1, 0), CounterRandom.RowKey(42UL | (1UL << 32), 3, 1, 0));
        Assert.NotEqual(CounterRandom.RowKey(42UL, 3, 1, 0), CounterRandom.RowKey(42UL, 3, 2, 0));
        Assert.NotEqual(CounterRandom.RowKey(42UL, 3, 1, 0), CounterRandom.RowKey(42UL, 4, 1, 0));
    }

    [Fact]
    public void Uniform_IsTheHashMappedStrictlyInsideZeroOne()
    {
        const uint key = 0xDEADBEEFu;
        var h = CounterRandom.Combine(CounterRandom.Combine(CounterRandom.Combine(key, 7u), 0u), 3u);

        Assert.Equal((h + 0.5) / 4294967296.0, CounterRandom.Uniform(key, 7, 3));
        Assert.True(0.5 / 4294967296.0 > 0.0);
        Assert.True((uint.MaxValue + 0.5) / 4294967296.0 < 1.0);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(123_456_789_012L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void Uniforms_TensorIsBitIdenticalToScalar(long step)
    {
        const int lanes = 257;
        var random = new Random(20240601);
        var keys = new long[1000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = (long)(uint)random.NextInt64(0, 1L << 32);
        }

        keys[0] = 0;
        keys[1] = uint.MaxValue;

        using var keyTensor = tensor(keys);
        using var uniforms = CounterRandom.Uniforms(keyTensor, step, lanes);
        Assert.Equal(ScalarType.Float64, uniforms.dtype);
        Assert.Equal([keys.Length, (long)lanes], uniforms.shape);

        var values = uniforms.data<double>().ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            for (var lane = 0; lane < lanes; lane++)
            {
                var expected = CounterRandom.Uniform((uint)keys[i], step, lane);
                var actual = values[i * lanes + lane];
                if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
                {
                    Assert.Fail($"Row key {keys[i]}, step {step}, lane {lane}: tensor {actual:R} ≠ scalar {expected:R}.");
                }

                Assert.InRange(actual, double.Epsilon, 1.0 - 1e-12);
            }
        }
    }

    /// <summary>The CPU computes the hash in C# (vectorized); other devices use torch ops: both give the same bits.</summary>
    [Theory]
    [InlineData(0L)]
    [InlineData(123_456_789_012L)]
    [InlineData(long.MaxValue)]
    public void Uniforms_HostAndTensorOpsAreBitIdentical(long step)
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 37).Select(_ => (long)(uint)random.NextInt64(0, 1L << 32)).Append(uint.MaxValue).Append(0).ToArray();
        using var keyTensor = tensor(keys);
        foreach (var lanes in new[] { 1, 7, 16, 1001 })
        {
            using var host = CounterRandom.Uniforms(keyTensor, step, lanes);
            using var ops = CounterRandom.UniformsWithTensorOps(keyTensor, step, lanes);
            Assert.Equal(ops.data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits), host.data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void Uniforms_DependOnlyOnTheRowsOwnKey()
    {
        using var alone = tensor(new long[] { 77 });
        using var batch = tensor(new long[] { 5, 77, 9 });
        using var aloneUniforms = CounterRandom.Uniforms(alone, 4, 16);
        using var batchUniforms = CounterRandom.Uniforms(batch, 4, 16);
        using var middle = batchUniforms[1];
        using var only = aloneUniforms[0];

        Assert.Equal(only.data<double>().ToArray(), middle.data<double>().ToArray());
    }

    [Fact]
    public void Uniforms_RejectsKeysOutsideUint32()
    {
        using var negative = tensor(new long[] { -1 });
        using var tooLarge = tensor(new long[] { 1L << 32 });
        using var wrongType = tensor(new int[] { 1 });

        Assert.Throws<ArgumentException>(() => CounterRandom.Uniforms(negative, 0, 4));
        Assert.Throws<ArgumentException>(() => CounterRandom.Uniforms(tooLarge, 0, 4));
        Assert.Throws<ArgumentException>(() => CounterRandom.Uniforms(wrongType, 0, 4));
    }
}
