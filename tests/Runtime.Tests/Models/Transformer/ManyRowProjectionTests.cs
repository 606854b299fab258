using TorchSharp;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>The decode step's 17–64-row projection: its one sum order (a scalar chain per output), and libtorch's <c>linear</c>.</summary>
public sealed class ManyRowProjectionTests
{
    private static (Tensor X, Tensor Weight) Inputs(int rows, int inFeatures, int outFeatures, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var x = torch.randn([rows, inFeatures], ScalarType.Float32, generator: generator);
        var weight = torch.randn([outFeatures, inFeatures], ScalarType.Float32, generator: generator).mul_(0.05);
        return (x, weight);
    }

    /// <summary>The process's width, and the 256-bit path too where the process uses 512 (the CI machine may lack AVX-512).</summary>
    private static IEnumerable<bool> Widths() =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? [true, false] : [false];

    /// <summary>Each output as one fused multiply-add after another over the input features, from zero.</summary>
    private static float[] ScalarChains(Tensor x, Tensor weight)
    {
        var (rows, n, outFeatures) = ((int)x.size(0), (int)x.size(1), (int)weight.size(0));
        var (xs, ws) = (x.data<float>().ToArray(), weight.data<float>().ToArray());
        var result = new float[rows * outFeatures];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outFeatures; o++)
            {
                var sum = 0f;
                for (var k = 0; k < n; k++)
                {
                    sum = MathF.FusedMultiplyAdd(ws[o * n + k], xs[r * n + k], sum);
                }

                result[r * outFeatures + o] = sum;
            }
        }

        return result;
    }

    [Theory]
    [InlineData(17, 13, 7)] // one row past a vector, outputs past a six-row weight block
    [InlineData(33, 40, 12)] // a third vector of rows (with 8 lanes: three chunks, the last of one row)
    [InlineData(48, 1, 5)] // one input feature, only the one-row weight kernel
    [InlineData(64, 520, 64)] // four vectors, and enough work to split over threads
    [InlineData(50, 96, 31)]
    [InlineData(50, 520, 61)] // split over threads with a partial last chunk at both widths and a one-row weight tail
    public void Every_output_is_the_scalar_chain_bit_for_bit_at_every_width_and_thread_count(int rows, int inFeatures, int outFeatures)
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows, inFeatures, outFeatures, seed: rows + inFeatures);
        Assert.True(ManyRowProjection.Applies(x, weight));
        var expected = ScalarChains(x, weight);
        foreach (var wide in Widths())
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var actual = ManyRowProjection.Compute(x, weight, threads, wide).data<float>().ToArray();
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.True(
                        BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{rows}×{inFeatures}→{outFeatures}, wide {wide}, {threads} threads: output {i} is {actual[i]:R}, its chain {expected[i]:R}");
                }
            }
        }
    }

    [Fact]
    public void A_row_gets_the_same_bits_in_any_batch_it_takes()
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(64, 520, 45, seed: 5); // enough work to split over two threads
        foreach (var wide in Widths())
        {
            var batch = ManyRowProjection.Compute(x, weight, threads: 2, wide);
            foreach (var (first, count) in new[] { (0, 17), (5, 30), (47, 17), (1, 63) })
            {
                var part = ManyRowProjection.Compute(x.narrow(0, first, count).contiguous(), weight, threads: 1, wide);
                Assert.True(batch.narrow(0, first, count).eq(part).all().item<bool>(), $"rows {first}..{first + count - 1}, wide {wide}");
            }
        }
    }

    [Theory]
    [InlineData(17, 768, 2304)] // the llama-110m query/key/value shape
    [InlineData(64, 2048, 768)] // its down projection
    public void Equals_linear_within_float32_rounding(int rows, int inFeatures, int outFeatures)
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows, inFeatures, outFeatures, seed: 9);
        var expected = torch.nn.functional.linear(x, weight);
        foreach (var wide in Widths())
        {
            // Each output sums up to 2048 products of size ~0.05 in float32: rounding differences stay far below 2e-4.
            var difference = (ManyRowProjection.Compute(x, weight, threads: 2, wide) - expected).abs().max().item<float>();
            Assert.True(difference < 2e-4, $"{rows}×{inFeatures}→{outFeatures}, wide {wide}: max difference {difference}");
        }
    }

    [Fact]
    public void Leaves_to_linear_what_it_does_not_take()
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows: 20, 16, 8, seed: 1);
        Assert.False(ManyRowProjection.Applies(torch.randn(65, 16), weight)); // past 64 rows: linear's blocked GEMM is faster
        Assert.False(ManyRowProjection.Applies(x.to(ScalarType.Float64), weight.to(ScalarType.Float64)));
        Assert.False(ManyRowProjection.Applies(torch.randn(16, 20).t(), weight)); // not contiguous
        Assert.False(ManyRowProjection.Applies(x.unsqueeze(0), weight)); // prefill's [batch, length, in]
    }
}
