using TorchSharp;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Sampling;

public sealed class HostLogSoftmaxTests
{
    /// <summary>
    /// Against torch's float64 log_softmax of the widened logits: equal to 1e-12 (the sum's exp is .NET's, so the last
    /// bits may differ), impossible ids exactly −∞, on rows of very different scales, one with a single finite logit
    /// and a vocabulary that leaves a tail after the vector blocks, with one thread and with the rows split over two.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void It_equals_torchs_log_softmax_with_impossible_ids_at_minus_infinity(int threads)
    {
        using var scope = torch.NewDisposeScope();
        const int Vocab = 40_003; // rows × vocab above the parallel threshold; not a multiple of 8
        var logits = torch.randn([6, Vocab], ScalarType.Float32, generator: new torch.Generator(7));
        logits[1] = logits[1] * 60f;
        logits[2] = (logits[2] * 1e-3f) + 500f;
        logits[3] = torch.full([Vocab], float.NegativeInfinity, ScalarType.Float32);
        logits[3, 17] = 4f;
        int[] impossible = [0, 5, Vocab - 1];

        var mask = torch.tensor(impossible.Select(i => (long)i).ToArray());
        var expected = logits.to(ScalarType.Float64).index_fill(1, mask, double.NegativeInfinity).log_softmax(1).data<double>().ToArray();
        using var actualTensor = HostLogSoftmax.Compute(logits, impossible, threads);
        Assert.Equal(ScalarType.Float64, actualTensor.dtype);
        var actual = actualTensor.data<double>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNegativeInfinity(expected[i]))
            {
                Assert.True(double.IsNegativeInfinity(actual[i]), $"element {i}: expected -inf, got {actual[i]}");
            }
            else
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
            }
        }

        Assert.Equal(0.0, actual[(3 * Vocab) + 17]);
    }

    [Fact]
    public void A_rows_values_do_not_depend_on_the_rows_beside_it()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn([40, 4000], ScalarType.Float32, generator: new torch.Generator(3));
        using var together = HostLogSoftmax.Compute(logits, [], threads: 2);
        using var alone = HostLogSoftmax.Compute(logits[4].unsqueeze(0).contiguous(), [], threads: 1);
        Assert.Equal(alone[0].data<double>().ToArray(), together[4].data<double>().ToArray());
    }

    /// <summary>The vector exp of the sum against Math.Exp from 0 down past underflow, −∞ included.</summary>
    [Fact]
    public void The_sums_exp_is_within_a_few_ulps_of_Math_Exp_and_negligible_below_underflow()
    {
        for (var x = 0.0; x > -708; x -= 0.0137)
        {
            var expected = Math.Exp(x);
            var actual = System.Runtime.Intrinsics.Vector256.ToScalar(HostLogSoftmax.ExpOfNonPositive(System.Runtime.Intrinsics.Vector256.Create(x)));
            Assert.True(Math.Abs(actual - expected) <= 4e-16 * expected, $"exp({x}): expected {expected:R}, got {actual:R}");
        }

        foreach (var x in new[] { -708.5, -745.2, -1e6, double.NegativeInfinity })
        {
            var actual = System.Runtime.Intrinsics.Vector256.ToScalar(HostLogSoftmax.ExpOfNonPositive(System.Runtime.Intrinsics.Vector256.Create(x)));
            Assert.True(actual >= 0 && actual < 1e-307, $"exp({x}) should be negligible, got {actual:R}");
        }
    }
}
