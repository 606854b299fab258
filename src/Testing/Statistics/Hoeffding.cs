namespace Tts.Testing.Statistics;

/// <summary>
/// Hoeffding's inequality for the mean of n independent replications of a quantity confined to an interval of
/// width <c>range</c>: P(|X̄ − μ| ≥ ε) ≤ 2·exp(−2nε² / range²). Distribution-free, so it holds for dependent
/// draws inside one replication (systematic or stratified offspring counts), where chi-square does not.
/// </summary>
public static class Hoeffding
{
    /// <summary>The ε beyond which |X̄ − μ| lies with probability at most <paramref name="alpha"/> (two-sided).</summary>
    public static double Threshold(double range, long n, double alpha)
    {
        Validate(range, alpha, nameof(alpha));
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return range * Math.Sqrt(Math.Log(2.0 / alpha) / (2.0 * n));
    }

    /// <summary>
    /// The fewest replications for which a mean off by <paramref name="delta"/> is rejected at level
    /// <paramref name="alpha"/> with probability at least 1 − <paramref name="beta"/>: the test's threshold plus
    /// the one-sided deviation of the shifted mean at level β must not exceed δ.
    /// </summary>
    public static long RequiredSampleSize(double range, double delta, double alpha, double beta)
    {
        Validate(range, alpha, nameof(alpha));
        Validate(range, beta, nameof(beta));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(delta);
        var perUnit = Math.Sqrt(Math.Log(2.0 / alpha) / 2.0) + Math.Sqrt(Math.Log(1.0 / beta) / 2.0);
        return (long)Math.Ceiling(range * range * perUnit * perUnit / (delta * delta));
    }

    private static void Validate(double range, double level, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(range);
        if (!(level > 0.0 && level < 1.0))
        {
            throw new ArgumentOutOfRangeException(parameterName, level, "Must be in (0, 1).");
        }
    }
}
