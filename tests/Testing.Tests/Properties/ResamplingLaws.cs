using Tts.Runtime.Resampling;

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
        foreach (var (middle, length) in Pieces(logWeights))
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

    private static IEnumerable<(double Middle, double Length)> Pieces(double[] logWeights)
    {
        var particles = logWeights.Length;
        var max = logWeights.Max();
        var weights = logWeights.Select(lw => Math.Exp(lw - max)).ToArray();
        var total = weights.Sum();
        var breaks = new List<double> { 0.0, 1.0 };
        var cumulative = 0.0;
        foreach (var w in weights)
        {
            cumulative += w / total;
            breaks.Add(cumulative);
            breaks.AddRange(Enumerable.Range(0, particles).Select(j => particles * cumulative - j));
        }

        var residuals = weights.Select(w => particles * w / total - Math.Floor(particles * w / total)).ToArray();
        var residualTotal = residuals.Sum();
        var residualCumulative = 0.0;
        foreach (var r in residuals)
        {
            residualCumulative += r;
            if (residualTotal > 0)
            {
                breaks.Add(residualCumulative / residualTotal);
            }
        }

        var sorted = breaks.Where(b => b >= 0.0 && b <= 1.0).Order().Distinct().ToArray();
        return sorted.Zip(sorted.Skip(1), (low, high) => (0.5 * (low + high), high - low)).Where(p => p.Item2 > 0);
    }
}
