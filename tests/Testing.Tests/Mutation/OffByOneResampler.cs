using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Testing.Tests.Mutation;

/// <summary>A planted fault: systematic resampling whose ancestor index is one too high (wrapping at N), in both the tensor and the reference path.</summary>
internal sealed class OffByOneResampler : Resampler
{
    public override string Name => "systematic-off-by-one";

    public override int UniformLanes(int particles) => 1;

    protected override Tensor Ancestors(Tensor weights, Tensor uniforms)
    {
        var particles = weights.shape[1];
        using var points = (uniforms + arange(particles, float64).unsqueeze(0)) / particles;
        using var cumulative = weights.cumsum(1) / weights.sum(1, keepdim: true);
        using var found = InverseCdf(cumulative, points);
        return (found + 1).remainder(particles);
    }

    protected override long[] AncestorsReference(double[] weights, Func<int, double> uniform)
    {
        var cumulative = CumulativeSumReference(weights);
        var total = cumulative[^1];
        return Enumerable.Range(0, weights.Length)
            .Select(j => (InverseCdfReference(cumulative.Select(c => c / total).ToArray(), (uniform(0) + j) / weights.Length) + 1) % weights.Length)
            .ToArray();
    }
}
