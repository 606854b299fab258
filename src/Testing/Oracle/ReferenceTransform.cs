using System.Globalization;
using Tts.Runtime.Sampling;

namespace Tts.Testing.Oracle;

/// <summary>
/// The decoding transform as the language defines it (docs/language.md, "Options"), written in probability space
/// and independently of the runtime's sampler: temperature q ∝ p^(1/T) (T = 0: all mass on the lowest-index most
/// likely token), then top-k (keep tokens at least as likely as the k-th), then top-p (in descending order, ties by
/// token id, keep a token while the mass before it is below p), then min-p (keep tokens at least min_p times the
/// most likely), then renormalize.
/// </summary>
public static class ReferenceTransform
{
    /// <summary>A top-p or min-p boundary closer than this to a cumulative mass or ratio makes the law ill-conditioned.</summary>
    public const double BoundaryMargin = 1e-9;

    /// <summary>The transformed law. Throws <see cref="OracleException"/> when a top-p or min-p boundary is within <see cref="BoundaryMargin"/> of a decision.</summary>
    public static double[] Apply(IReadOnlyList<double> probabilities, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var size = probabilities.Count;
        var best = 0;
        for (var i = 1; i < size; i++)
        {
            if (probabilities[i] > probabilities[best])
            {
                best = i;
            }
        }

        var q = new double[size];
        if (options.IsGreedy)
        {
            q[best] = 1.0;
            return q;
        }

        // q_i ∝ p_i^(1/T), computed relative to the most likely token so small T cannot underflow it.
        var logBest = Math.Log(probabilities[best]);
        for (var i = 0; i < size; i++)
        {
            q[i] = probabilities[i] == 0.0 ? 0.0 : Math.Exp((Math.Log(probabilities[i]) - logBest) / options.Temperature);
        }

        if (options.TopK > 0 && options.TopK < size)
        {
            var kth = q.OrderDescending().ElementAt(options.TopK - 1);
            for (var i = 0; i < size; i++)
            {
                if (q[i] < kth)
                {
                    q[i] = 0.0;
                }
            }
        }

        if (options.TopP < 1.0)
        {
            var total = q.Sum();
            var order = Enumerable.Range(0, size).OrderByDescending(i => q[i]).ThenBy(i => i).ToArray();
            var before = 0.0;
            var kept = new bool[size];
            foreach (var token in order)
            {
                var mass = q[token] / total;
                if (q[token] > 0.0 && Math.Abs(before - options.TopP) < BoundaryMargin)
                {
                    throw new OracleException(string.Create(CultureInfo.InvariantCulture,
                        $"top_p {options.TopP:R} is within {BoundaryMargin} of a cumulative mass ({before:R}): the kept set is ill-conditioned"));
                }

                kept[token] = before < options.TopP;
                before += mass;
            }

            for (var i = 0; i < size; i++)
            {
                q[i] = kept[i] ? q[i] : 0.0;
            }
        }

        if (options.MinP > 0.0)
        {
            // q[best] is 1 here: the most likely token survives top-k and top-p.
            for (var i = 0; i < size; i++)
            {
                if (q[i] > 0.0 && Math.Abs(Math.Log(q[i]) - Math.Log(options.MinP)) < BoundaryMargin)
                {
                    throw new OracleException(string.Create(CultureInfo.InvariantCulture,
                        $"min_p {options.MinP:R} is within {BoundaryMargin} of a probability ratio: the kept set is ill-conditioned"));
                }

                if (q[i] < options.MinP)
                {
                    q[i] = 0.0;
                }
            }
        }

        var sum = q.Sum();
        for (var i = 0; i < size; i++)
        {
            q[i] /= sum;
        }

        return q;
    }
}
