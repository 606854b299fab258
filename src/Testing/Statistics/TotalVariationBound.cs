namespace Tts.Testing.Statistics;

/// <summary>
/// A confidence bound on the total-variation distance between an unknown law q on K outcomes and a known law, from n
/// i.i.d. draws of q. The L1 deviation of the empirical law q̂ obeys P(‖q̂ − q‖₁ ≥ ε) ≤ (2^K − 2)·exp(−nε²/2)
/// (Weissman, Ordentlich, Seroussi, Verdú and Weinberger 2003), so with probability at least 1 − α
/// |TV(q̂, p) − TV(q, p)| ≤ ε/2 for every p at once. Unlike DKW this grows with K: keep K small.
/// </summary>
public static class TotalVariationBound
{
    /// <summary>ε/2 = ½·sqrt(2·(ln(2^K − 2) + ln(1/α)) / n): the half-width of the TV confidence interval.</summary>
    public static double HalfWidth(long n, int outcomes, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outcomes, 2);
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Must be in (0, 1).");
        }

        return 0.5 * Math.Sqrt(2.0 * (LogSubsets(outcomes) + Math.Log(1.0 / alpha)) / n);
    }

    /// <summary>The fewest draws whose half-width is at most <paramref name="halfWidth"/>.</summary>
    public static long RequiredSampleSize(double halfWidth, int outcomes, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(halfWidth);
        ArgumentOutOfRangeException.ThrowIfLessThan(outcomes, 2);
        return (long)Math.Ceiling(2.0 * (LogSubsets(outcomes) + Math.Log(1.0 / alpha)) / (4.0 * halfWidth * halfWidth));
    }

    /// <summary>TV(q̂, p) = ½ Σ |count_k / n − p_k| over the union of the supports (outcomes with p_k = 0 included).</summary>
    public static double Empirical<TOutcome>(IReadOnlyDictionary<TOutcome, long> counts, IReadOnlyDictionary<TOutcome, double> law)
        where TOutcome : notnull
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(law);
        double n = counts.Values.Sum();
        var sum = counts.Keys.Union(law.Keys).Sum(k => Math.Abs(counts.GetValueOrDefault(k) / n - law.GetValueOrDefault(k)));
        return 0.5 * sum;
    }

    /// <summary>ln(2^K − 2), computed without overflow.</summary>
    private static double LogSubsets(int outcomes) => outcomes * Math.Log(2.0) + Math.Log(1.0 - Math.Pow(2.0, 1 - outcomes));
}
