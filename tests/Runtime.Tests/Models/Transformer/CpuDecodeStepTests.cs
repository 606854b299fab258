using System.Runtime.Intrinsics;
using Tts.Runtime.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Transformer;

public sealed class CpuDecodeStepTests
{
    /// <summary>The step's vector sigmoid against the exact one, across and beyond float32's exp range.</summary>
    [Fact]
    public void Sigmoid_is_within_a_few_ulps_of_the_exact_value_everywhere()
    {
        for (var x = -120.0; x <= 120.0; x += 0.0173)
        {
            var expected = 1.0 / (1.0 + Math.Exp(-x));
            var actual = (double)Vector256.ToScalar(CpuDecodeStep.Sigmoid(Vector256.Create((float)x)));
            var exact = 1.0 / (1.0 + Math.Exp(-(double)(float)x));
            Assert.True(Math.Abs(actual - exact) <= 4e-7 * exact + 1e-38, $"sigmoid({x}): expected {expected:R}, got {actual:R}");
        }

        Assert.Equal(1f, Vector256.ToScalar(CpuDecodeStep.Sigmoid(Vector256.Create(float.PositiveInfinity))));
        Assert.True(Vector256.ToScalar(CpuDecodeStep.Sigmoid(Vector256.Create(float.NegativeInfinity))) < 1e-37f);
    }
}
