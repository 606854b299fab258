using Tts.Runtime.Resampling;
using Tts.TestSupport;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// Exact expectations of a resampler by enumerating its randomness: every slot's ancestor is piecewise constant in
/// its uniform, with breakpoints where a point crosses a running sum, so evaluating each piece's midpoint (every lane
/// at the same value gives each slot's marginal) and weighting by the piece's length gives E[count_i] exactly.
/// </summary>
internal static class ResamplingLaws
{
    public static double[] ExpectedOffspring(Resampler resampler, double[] logWeights)
    {
        var particles = logWeights.Length;
        var mean = new double[particles];
        // Pieces depend on normalized weights only: shifting by the largest log-weight keeps them finite.
        var largest = logWeights.Max();
        foreach (var (middle, length) in ResamplingPieces.Of(logWeights.Select(lw => Math.Exp(lw - largest)).ToArray()))
        {
            var (ancestors, alive) = resampler.ResampleReferenceWithUniforms(logWeights, _ => middle);
            if (!alive)
            {
                return mean;
            }

            foreach (var ancestor in ancestors)
            {
                mean[ancestor] += length;
            }
        }

        return mean;
    }

    /// <summary>
    /// Proper weighting after one importance step and one resampling, by enumeration: particles drawn i.i.d. from
    /// <paramref name="proposal"/>, weighted by <paramref name="weight"/>, resampled, and x* drawn uniformly from the
    /// result with Ẑ the mean weight. Returns E[Ẑ·1{x* = x}] for every x, which must equal γ(x) = q(x)·w(x).
    /// </summary>
    public static double[] ProperWeighting(Resampler resampler, double[] proposal, double[] weight, int particles)
    {
        var outcomes = proposal.Length;
        var result = new double[outcomes];
        var draws = new int[particles];
        Enumerate(0, 1.0);
        return result;

        void Enumerate(int index, double probability)
        {
            if (index == particles)
            {
                var weights = draws.Select(x => weight[x]).ToArray();
                var z = weights.Average();
                if (z == 0.0)
                {
                    return;
                }

                var offspring = ExpectedOffspring(resampler, Array.ConvertAll(weights, Math.Log));
                for (var i = 0; i < particles; i++)
                {
                    result[draws[i]] += probability * z * offspring[i] / particles;
                }

                return;
            }

            for (var x = 0; x < outcomes; x++)
            {
                if (proposal[x] > 0.0)
                {
                    draws[index] = x;
                    Enumerate(index + 1, probability * proposal[x]);
                }
            }
        }
    }
}
