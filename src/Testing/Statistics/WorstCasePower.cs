namespace Tts.Testing.Statistics;

/// <summary>
/// The power of the pooled chi-square test of a law p (cells merged by <see cref="ChiSquare.MergedCellsFor"/>) against
/// <b>every</b> law within a total-variation distance, not only the most favourable one. By Cauchy–Schwarz, a law q at
/// TV δ from p over the cells moves mass δ onto a set of probability A and δ off the rest, so
/// Σ(q − p)²/p ≥ δ²·(1/A + 1/(1 − A)) ≥ 4δ², with equality when the deviation is spread in proportion to p over two
/// halves of mass ½: the test's noncentrality is at least 4nδ² whichever way the mass moves, and its power there is
/// the worst case. With a <c>tolerance</c> τ the null allows a law whose χ distance √Σ(q − p)²/p is up to τ (the
/// check of a consistent strategy at a finite particle count), and the critical value is that of the noncentral
/// chi-square with λ = nτ². Deviations inside the pooled rest cell are not resolved (their mass is reported).
/// </summary>
public static class WorstCasePower
{
    /// <summary>The least noncentrality per draw of any law at TV <paramref name="delta"/> from p: 4δ².</summary>
    public static double NoncentralityPerDraw(double delta) => 4.0 * delta * delta;

    /// <summary>The pooled probabilities of <paramref name="probabilities"/> at <paramref name="n"/> draws.</summary>
    public static IReadOnlyList<double> Cells(IReadOnlyList<double> probabilities, long n) =>
        ChiSquare.Pool(probabilities, ChiSquare.MergedCellsFor(n, probabilities), (a, b) => a + b);

    /// <summary>The critical value of the pooled test: the (1 − α) quantile of χ²_df(nτ²).</summary>
    public static double Critical(int degreesOfFreedom, long n, double alpha, double tolerance) =>
        ChiSquare.NoncentralCriticalValue(degreesOfFreedom, n * tolerance * tolerance, alpha);

    /// <summary>The power of <paramref name="n"/> draws against every law at TV ≥ <paramref name="delta"/> from p (the worst case).</summary>
    public static double Power(IReadOnlyList<double> probabilities, long n, double alpha, double tolerance, double delta)
    {
        var df = Cells(probabilities, n).Count - 1;
        if (df < 1)
        {
            return 0.0;
        }

        return ChiSquare.NoncentralUpperTail(df, n * NoncentralityPerDraw(delta), Critical(df, n, alpha, tolerance));
    }

    /// <summary>
    /// The smallest TV δ such that <paramref name="n"/> draws catch every law at TV δ from p with power 1 − β;
    /// +∞ when the test has a single cell.
    /// </summary>
    public static double SmallestDetectable(IReadOnlyList<double> probabilities, long n, double alpha, double beta, double tolerance)
    {
        var df = Cells(probabilities, n).Count - 1;
        if (df < 1)
        {
            return double.PositiveInfinity;
        }

        var lambda = ChiSquare.NoncentralityReaching(df, Critical(df, n, alpha, tolerance), 1.0 - beta);
        return Math.Sqrt(lambda / (n * NoncentralityPerDraw(1.0)));
    }

    /// <summary>
    /// The fewest draws that catch every law at TV <paramref name="delta"/> from p with power 1 − β (cells pooled at
    /// each candidate count); null when no count can (a single cell, or δ within the tolerance: 2δ ≤ τ).
    /// </summary>
    public static long? RequiredRuns(IReadOnlyList<double> probabilities, double delta, double alpha, double beta, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (2.0 * delta <= tolerance || probabilities.Count(p => p > 0) < 2)
        {
            return null;
        }

        bool Enough(long n) => Power(probabilities, n, alpha, tolerance, delta) >= 1.0 - beta;
        var high = 16L;
        while (!Enough(high))
        {
            if (high > 1L << 50)
            {
                return null;
            }

            high *= 2;
        }

        return ChiSquare.SmallestEnough(Enough, high / 2, high, Math.Max(1, high / 1000));
    }

    /// <summary>
    /// The power of <paramref name="n"/> draws against one stated alternative law q (same cells as p, in the same
    /// order; <paramref name="outsideMass"/> is q's mass where p is 0, which the hard support check catches as soon as
    /// one draw lands there): the larger of the chi-square's power at λ = n·Σ(q − p)²/p over the pooled cells and
    /// 1 − (1 − m)ⁿ.
    /// </summary>
    public static double AgainstAlternative(IReadOnlyList<double> probabilities, IReadOnlyList<double> alternative, double outsideMass, long n, double alpha, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(alternative);
        var merged = ChiSquare.MergedCellsFor(n, probabilities);
        var p = ChiSquare.Pool(probabilities, merged, (a, b) => a + b);
        var q = ChiSquare.Pool(alternative, merged, (a, b) => a + b);
        var support = outsideMass >= 1.0 ? 1.0 : 1.0 - Math.Exp(n * MathNet.Numerics.SpecialFunctions.Log1p(-outsideMass));
        if (p.Count < 2)
        {
            return support;
        }

        var perDraw = 0.0;
        for (var k = 0; k < p.Count; k++)
        {
            perDraw += (q[k] - p[k]) * (q[k] - p[k]) / p[k];
        }

        var df = p.Count - 1;
        return Math.Max(support, ChiSquare.NoncentralUpperTail(df, n * perDraw, Critical(df, n, alpha, tolerance)));
    }
}
