namespace Tts.TestSupport;

/// <summary>
/// Exact enumeration of a resampler's randomness: the intervals of (0, 1) on which no point of any scheme crosses a
/// running sum — breakpoints at C_k (multinomial), N·C_k − j (stratified, systematic) and the residuals' running sums
/// over their total, C normalized. Every slot's ancestor is constant on each piece, so evaluating the midpoint and
/// weighting by the length gives expectations exactly.
/// </summary>
public static class ResamplingPieces
{
    /// <param name="weights">Unnormalized, non-negative weights (not log-weights).</param>
    public static (double Middle, double Length)[] Of(double[] weights)
    {
        var particles = weights.Length;
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
        return sorted.Zip(sorted.Skip(1), (low, high) => (0.5 * (low + high), high - low)).Where(p => p.Item2 > 0).ToArray();
    }
}
