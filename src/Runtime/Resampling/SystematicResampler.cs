using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// One uniform shared by all strata: point j = (j + u)/N with u from lane 0. Offspring count i is
/// ⌊N·w̄_i⌋ or ⌈N·w̄_i⌉, so its variance is f(1 − f) with f = frac(N·w̄_i), the least any unbiased
/// integer count can have. (It is not lower than stratified for every function of the particles, only per
/// index.) Ancestors come out sorted.
/// </summary>
public sealed class SystematicResampler : InverseCdfResampler
{
    public override string Name => "systematic";

    public override int UniformLanes(int particles) => 1;

    protected override Tensor Points(Tensor uniforms, long particles)
    {
        using var count = Scalars.Of(particles);
        return uniforms.narrow(1, 0, 1).add(arange(particles, float64, uniforms.device).unsqueeze(0)).div_(count);
    }

    protected override double PointReference(int j, int particles, Func<int, double> uniform) => (uniform(0) + j) / particles;
}
