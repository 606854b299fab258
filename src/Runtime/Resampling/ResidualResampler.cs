using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// Residual resampling with a <b>multinomial</b> remainder: particle i first gets ⌊N·w̄_i⌋ copies
/// (deterministic, in index order, slots 0 … D − 1); the remaining R = N − D slots are independent draws
/// from the residuals r_i = N·w̄_i − ⌊N·w̄_i⌋ (slot j uses lane j). Per-index variance
/// R·ρ_i(1 − ρ_i) with ρ_i = r_i / R, never above multinomial's; counts are at least ⌊N·w̄_i⌋.
/// </summary>
public sealed class ResidualResampler : Resampler
{
    public override string Name => "residual";

    public override int UniformLanes(int particles) => particles;

    protected override Tensor Ancestors(Tensor weights, Tensor uniforms)
    {
        using var scope = NewDisposeScope();
        var particles = weights.shape[1];
        var total = weights.cumsum(1).narrow(1, particles - 1, 1);
        using var count = Scalars.Of(particles);
        var expected = weights.mul(count).div_(total);
        var copies = expected.floor();
        var residuals = expected.sub_(copies);

        // Slot j < D takes the first particle whose running copy count exceeds j.
        var copiesCumulative = copies.cumsum(1);
        var deterministicCount = copiesCumulative.narrow(1, particles - 1, 1);
        var slots = arange(particles, float64, weights.device).unsqueeze(0).expand_as(weights).contiguous();
        var deterministic = searchsorted(copiesCumulative, slots, right: true);

        var residualsCumulative = residuals.cumsum(1);
        var residualTotal = residualsCumulative.narrow(1, particles - 1, 1);
        var remainder = InverseCdf(residualsCumulative, uniforms.mul(residualTotal));
        return where(slots.lt(deterministicCount), deterministic, remainder).MoveToOuterDisposeScope();
    }

    protected override long[] AncestorsReference(double[] weights, Func<int, double> uniform)
    {
        var particles = weights.Length;
        var total = CumulativeSumReference(weights)[^1];
        var copies = new double[particles];
        var residuals = new double[particles];
        for (var i = 0; i < particles; i++)
        {
            var expected = weights[i] * particles / total;
            copies[i] = Math.Floor(expected);
            residuals[i] = expected - copies[i];
        }

        var residualsCumulative = CumulativeSumReference(residuals);
        var ancestors = new long[particles];
        var slot = 0;
        for (var i = 0; i < particles; i++)
        {
            for (var copy = 0; copy < copies[i]; copy++)
            {
                ancestors[slot++] = i;
            }
        }

        for (; slot < particles; slot++)
        {
            ancestors[slot] = InverseCdfReference(residualsCumulative, uniform(slot) * residualsCumulative[^1]);
        }

        return ancestors;
    }
}
