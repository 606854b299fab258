using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// One independent point in each stratum [j/N, (j+1)/N): point j = (j + u_j)/N (lane j). Offspring count i is
/// a sum of independent Bernoullis with mean N·w̄_i, so its variance lies between systematic's f(1 − f) and
/// multinomial's N·w̄_i(1 − w̄_i); counts stay within ⌊N·w̄_i⌋ − 1 … ⌈N·w̄_i⌉ + 1. Ancestors come out sorted.
/// </summary>
public sealed class StratifiedResampler : InverseCdfResampler
{
    public override string Name => "stratified";

    public override int UniformLanes(int particles) => particles;

    protected override Tensor Points(Tensor uniforms, long particles)
    {
        using var count = Scalars.Of(particles);
        return uniforms.add(arange(particles, float64, uniforms.device).unsqueeze(0)).div_(count);
    }

    protected override double PointReference(int j, int particles, Func<int, double> uniform) => (uniform(j) + j) / particles;
}
