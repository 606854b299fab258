using static TorchSharp.torch;

namespace Tts.Runtime.Resampling;

/// <summary>
/// N independent draws from the weights (point j = u_j, lane j). Offspring counts are Multinomial(N, w̄):
/// per-index variance N·w̄_i(1 − w̄_i), the largest of the four schemes. Ancestors come out in draw order.
/// </summary>
public sealed class MultinomialResampler : InverseCdfResampler
{
    public override string Name => "multinomial";

    public override int UniformLanes(int particles) => particles;

    protected override Tensor Points(Tensor uniforms, long particles) => uniforms.clone();

    protected override double PointReference(int j, int particles, Func<int, double> uniform) => uniform(j);
}
