namespace Tts.Testing.Statistics;

/// <summary>
/// The Dvoretzky–Kiefer–Wolfowitz inequality (Massart's constant) for the empirical CDF of n i.i.d. draws:
/// P(sup|F_n − F| &gt; ε) ≤ 2·exp(−2nε²). Over a finite ordered support it bounds every cumulative probability at
/// once, so it also bounds how far a whole law can be from the data, whatever the number of cells.
/// </summary>
public static class Dkw
{
    /// <summary>ε = sqrt(ln(2/α) / 2n): with probability at least 1 − α, sup|F_n − F| ≤ ε.</summary>
    public static double Epsilon(long n, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ValidateLevel(alpha, nameof(alpha));
        return Math.Sqrt(Math.Log(2.0 / alpha) / (2.0 * n));
    }

    /// <summary>
    /// The fewest draws for which a law whose CDF is off by <paramref name="delta"/> somewhere is rejected at level
    /// α with probability at least 1 − β: n = 2·max(ln(2/α), ln(2/β)) / δ² (TESTING.md).
    /// </summary>
    public static long RequiredSampleSize(double delta, double alpha, double beta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(delta);
        ValidateLevel(alpha, nameof(alpha));
        ValidateLevel(beta, nameof(beta));
        return (long)Math.Ceiling(2.0 * Math.Max(Math.Log(2.0 / alpha), Math.Log(2.0 / beta)) / (delta * delta));
    }

    /// <summary>sup_k |F_n(k) − F(k)| over cells in the given order (observed counts vs probabilities).</summary>
    public static double Distance(IReadOnlyList<long> observed, IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (observed.Count != probabilities.Count)
        {
            throw new ArgumentException($"{observed.Count} observed counts for {probabilities.Count} probabilities.", nameof(observed));
        }

        double n = observed.Sum();
        var empirical = 0.0;
        var expected = 0.0;
        var largest = 0.0;
        for (var k = 0; k < observed.Count; k++)
        {
            empirical += observed[k] / n;
            expected += probabilities[k];
            largest = Math.Max(largest, Math.Abs(empirical - expected));
        }

        return largest;
    }

    private static void ValidateLevel(double level, string parameterName)
    {
        if (!(level > 0.0 && level < 1.0))
        {
            throw new ArgumentOutOfRangeException(parameterName, level, "Must be in (0, 1).");
        }
    }
}
