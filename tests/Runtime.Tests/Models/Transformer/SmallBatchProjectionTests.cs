using TorchSharp;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>The decode step's few-row projection against libtorch's <c>linear</c>, and its sum order.</summary>
public sealed class SmallBatchProjectionTests
{
    // in = 520 = 32 chunks of 16 plus a tail of 8, so the scalar tail is exercised; 520 × 512 × 2 rows ≥ the work split over threads.
    private const int In = 520;
    private const int Out = 512;

    private static (Tensor X, Tensor Weight) Inputs(int rows, int seed, int inFeatures = In)
    {
        var generator = new Generator((ulong)seed);
        var x = torch.randn([rows, inFeatures], ScalarType.Float32, generator: generator);
        var weight = torch.randn([Out, inFeatures], ScalarType.Float32, generator: generator).mul_(0.05);
        generator.Dispose();
        return (x, weight);
    }

    /// <summary>The process's width, and the 256-bit path too where the process uses 512 (the CI machine may lack AVX-512).</summary>
    private static IEnumerable<bool> Widths() =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? [true, false] : [false];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(16)]
    public void Equals_linear_within_float32_rounding(int rows)
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows, seed: rows);
        Assert.True(SmallBatchProjection.Applies(x, weight));
        var expected = torch.nn.functional.linear(x, weight);
        foreach (var wide in Widths())
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var actual = SmallBatchProjection.Compute(x, weight, threads, wide);
                Assert.Equal(expected.shape, actual.shape);
                // Each output sums 520 products of size ~0.05 in float32: rounding differences stay far below 1e-4.
                var difference = (actual - expected).abs().max().item<float>();
                Assert.True(difference < 1e-4, $"{rows} rows, {threads} threads, wide {wide}: max difference {difference}");
            }
        }
    }

    [Theory]
    [InlineData(1, 2048, 768)] // the down projection's shape, one row and sixteen
    [InlineData(16, 2048, 768)]
    [InlineData(9, 768, 154)] // outputs not a multiple of the four-row weight block, and fewer blocks than chunks
    [InlineData(4, 13, 7)] // shorter than one vector: only the scalar tail
    [InlineData(12, 792, 64)] // 49 whole 16-lane vectors (odd: the four-row kernel's two-step loop leaves one) and a tail
    public void Equals_linear_on_other_shapes(int rows, int inFeatures, int outFeatures)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new Generator(11);
        var x = torch.randn([rows, inFeatures], ScalarType.Float32, generator: generator);
        var weight = torch.randn([outFeatures, inFeatures], ScalarType.Float32, generator: generator).mul_(0.05);
        Assert.True(SmallBatchProjection.Applies(x, weight));
        var expected = torch.nn.functional.linear(x, weight);
        foreach (var wide in Widths())
        {
            foreach (var threads in new[] { 1, 2 })
            {
                var difference = (SmallBatchProjection.Compute(x, weight, threads, wide) - expected).abs().max().item<float>();
                Assert.True(difference < 2e-4, $"{rows}×{inFeatures}→{outFeatures}, {threads} threads, wide {wide}: max difference {difference}");
            }
        }
    }

    [Theory]
    [InlineData(In)]
    [InlineData(792)] // an odd number of whole vectors: the four-row kernel's last step runs outside its two-step loop
    public void A_row_gets_the_same_bits_alone_in_any_batch_and_on_any_number_of_threads(int inFeatures)
    {
        using var scope = torch.NewDisposeScope();
        var (x, full) = Inputs(rows: 16, seed: 3, inFeatures);
        // 510 outputs: the last two fall outside the kernels' four-output blocks and go through the one-output dot.
        foreach (var (weight, wide) in new[] { full, full.narrow(0, 0, 510).contiguous() }.SelectMany(w => Widths().Select(wide => (w, wide))))
        {
            var batch = SmallBatchProjection.Compute(x, weight, threads: 1, wide);
            Assert.True(batch.eq(SmallBatchProjection.Compute(x, weight, threads: 2, wide)).all().item<bool>());
            Assert.True(batch.eq(SmallBatchProjection.Compute(x, weight, threads: 3, wide)).all().item<bool>());
            // Every run of consecutive rows, so each row sits alone, in every block position and beside every row count.
            for (var count = 1; count < 16; count++)
            {
                for (var first = 0; first + count <= 16; first++)
                {
                    var part = SmallBatchProjection.Compute(x.narrow(0, first, count).contiguous(), weight, threads: 1 + (first % 3), wide);
                    Assert.True(batch.narrow(0, first, count).eq(part).all().item<bool>(), $"rows {first}..{first + count - 1}, wide {wide}");
                }
            }
        }
    }

    [Fact]
    public void Leaves_to_linear_what_it_does_not_take()
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows: 4, seed: 1);
        Assert.False(SmallBatchProjection.Applies(torch.randn(17, In), weight)); // past 16 rows
        Assert.False(SmallBatchProjection.Applies(x.to(ScalarType.Float64), weight.to(ScalarType.Float64)));
        Assert.False(SmallBatchProjection.Applies(torch.randn(In, 4).t(), weight)); // not contiguous
        Assert.False(SmallBatchProjection.Applies(x.unsqueeze(0), weight)); // prefill's [batch, length, in]
    }
}
