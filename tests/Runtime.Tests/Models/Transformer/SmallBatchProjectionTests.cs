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

    private static (Tensor X, Tensor Weight) Inputs(int rows, int seed)
    {
        var generator = new Generator((ulong)seed);
        var x = torch.randn([rows, In], ScalarType.Float32, generator: generator);
        var weight = torch.randn([Out, In], ScalarType.Float32, generator: generator).mul_(0.05);
        generator.Dispose();
        return (x, weight);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(16)]
    public void Equals_linear_within_float32_rounding(int rows)
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows, seed: rows);
        Assert.True(SmallBatchProjection.Applies(x, weight));
        var expected = torch.nn.functional.linear(x, weight);
        foreach (var threads in new[] { 1, 2, 3 })
        {
            var actual = SmallBatchProjection.Compute(x, weight, threads);
            Assert.Equal(expected.shape, actual.shape);
            // Each output sums 520 products of size ~0.05 in float32: rounding differences stay far below 1e-4.
            var difference = (actual - expected).abs().max().item<float>();
            Assert.True(difference < 1e-4, $"{rows} rows, {threads} threads: max difference {difference}");
        }
    }

    [Fact]
    public void A_row_gets_the_same_bits_alone_in_any_batch_and_on_any_number_of_threads()
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows: 7, seed: 3);
        var batch = SmallBatchProjection.Compute(x, weight, threads: 1);
        Assert.True(batch.eq(SmallBatchProjection.Compute(x, weight, threads: 2)).all().item<bool>());
        Assert.True(batch.eq(SmallBatchProjection.Compute(x, weight, threads: 4)).all().item<bool>());
        for (var r = 0; r < 7; r++)
        {
            var alone = SmallBatchProjection.Compute(x.narrow(0, r, 1).contiguous(), weight, threads: 2);
            Assert.True(batch.narrow(0, r, 1).eq(alone).all().item<bool>(), $"row {r}");
        }
    }

    [Fact]
    public void Leaves_to_linear_what_it_does_not_take()
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight) = Inputs(rows: 4, seed: 1);
        Assert.False(SmallBatchProjection.Applies(torch.randn(17, In), weight)); // past 16 rows
        Assert.False(SmallBatchProjection.Applies(torch.randn(9, 2048), torch.randn(256, 2048))); // past 8 rows when in > 1024
        Assert.False(SmallBatchProjection.Applies(x.to(ScalarType.Float64), weight.to(ScalarType.Float64)));
        Assert.False(SmallBatchProjection.Applies(torch.randn(In, 4).t(), weight)); // not contiguous
        Assert.False(SmallBatchProjection.Applies(x.unsqueeze(0), weight)); // prefill's [batch, length, in]
    }
}
