namespace Tts.Runtime.Tests.Resampling;

/// <summary>Log-weight generators and offspring arithmetic shared by the resampling tests.</summary>
internal static class ResamplingData
{
    /// <summary>
    /// [runs × N] random log-weights: spreads from tiny to huge, about 15% dead particles, some exact ties, an
    /// all-dead run now and then and offsets of ±1000 (so exp would overflow without the max shift).
    /// </summary>
    public static double[] RandomLogWeights(Random random, int runs, int particles)
    {
        var values = new double[runs * particles];
        for (var run = 0; run < runs; run++)
        {
            var allDead = random.NextDouble() < 0.05;
            var scale = Math.Exp(random.NextDouble() * 6 - 3);
            var offset = random.NextDouble() < 0.2 ? 1000.0 * (random.Next(2) * 2 - 1) : 0.0;
            for (var i = 0; i < particles; i++)
            {
                var u = random.NextDouble();
                values[run * particles + i] = allDead || u < 0.15 ? double.NegativeInfinity
                    : u < 0.25 && i > 0 ? values[run * particles + i - 1]
                    : offset + scale * (random.NextDouble() * 2 - 1);
            }
        }

        return values;
    }

    /// <summary>N·w̄_i from log-weights, or null when every weight is zero.</summary>
    public static double[]? ExpectedCounts(IReadOnlyList<double> logWeights)
    {
        var max = logWeights.Max();
        if (double.IsNegativeInfinity(max))
        {
            return null;
        }

        var weights = logWeights.Select(lw => Math.Exp(lw - max)).ToArray();
        var total = weights.Sum();
        return weights.Select(w => logWeights.Count * w / total).ToArray();
    }

    public static int[] Counts(IEnumerable<long> ancestors, int particles)
    {
        var counts = new int[particles];
        foreach (var ancestor in ancestors)
        {
            counts[ancestor]++;
        }

        return counts;
    }
}
