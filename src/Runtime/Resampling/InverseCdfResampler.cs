using static TorchSharp.torch;

namespace Tts.Runtime.Resampling;

/// <summary>
/// The schemes that place N points in [0, 1), scale them by the total weight and read the ancestor off the
/// running sum of the weights: they differ only in where the points go.
/// </summary>
public abstract class InverseCdfResampler : Resampler
{
    /// <summary>[runs, N] points in [0, 1) from the uniforms.</summary>
    protected abstract Tensor Points(Tensor uniforms, long particles);

    /// <summary>The C# reference of <see cref="Points"/>: point j of one run.</summary>
    protected abstract double PointReference(int j, int particles, Func<int, double> uniform);

    protected sealed override Tensor Ancestors(Tensor weights, Tensor uniforms)
    {
        using var scope = NewDisposeScope();
        var cumulative = weights.cumsum(1);
        var total = cumulative.narrow(1, weights.shape[1] - 1, 1);
        return InverseCdf(cumulative, Points(uniforms, weights.shape[1]).mul_(total)).MoveToOuterDisposeScope();
    }

    protected sealed override long[] AncestorsReference(double[] weights, Func<int, double> uniform)
    {
        var cumulative = CumulativeSumReference(weights);
        var total = cumulative[^1];
        var ancestors = new long[weights.Length];
        for (var j = 0; j < ancestors.Length; j++)
        {
            ancestors[j] = InverseCdfReference(cumulative, PointReference(j, weights.Length, uniform) * total);
        }

        return ancestors;
    }
}
