using System.Globalization;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Tts.Testing.Statistics;

/// <summary>
/// Pearson's chi-square goodness-of-fit test with the validity guards of TESTING.md, and the
/// sample size that gives it the power to see the smallest bug that matters.
/// </summary>
public static class ChiSquare
{
    /// <summary>Below this expected count per cell the chi-square approximation is not trusted.</summary>
    public const double MinimumExpectedCount = 5.0;

    private const double ProbabilitySumTolerance = 1e-9;

    /// <summary>
    /// X² = Σ (O_k − n·p_k)² / (n·p_k) over cells with p_k &gt; 0, df = those cells − 1,
    /// p-value = Q(df/2, X²/2). A count in a p_k = 0 cell fails the test outright; an expected count
    /// below <see cref="MinimumExpectedCount"/> is refused (merge cells first).
    /// </summary>
    public static ChiSquareResult GoodnessOfFit(IReadOnlyList<long> observed, IReadOnlyList<double> probabilities)
    {
        ValidateCells(observed, probabilities);
        var n = observed.Sum();
        if (n <= 0)
        {
            throw new ArgumentException("No observations.", nameof(observed));
        }

        var statistic = 0.0;
        var positiveCells = 0;
        for (var k = 0; k < observed.Count; k++)
        {
            if (probabilities[k] == 0.0)
            {
                if (observed[k] > 0)
                {
                    throw new StatisticalAssertionException($"Cell {k} has probability 0 but was observed {observed[k]} times.");
                }

                continue;
            }

            var expected = n * probabilities[k];
            if (expected < MinimumExpectedCount)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Refusing the chi-square test: cell {k} expects {expected:R} < {MinimumExpectedCount} observations; merge cells (ChiSquare.MergeSmallCells) or draw more."));
            }

            statistic += (observed[k] - expected) * (observed[k] - expected) / expected;
            positiveCells++;
        }

        var degreesOfFreedom = positiveCells - 1;
        if (degreesOfFreedom < 1)
        {
            throw new ArgumentException("A goodness-of-fit test needs at least two cells of positive probability.", nameof(probabilities));
        }

        return new ChiSquareResult(statistic, degreesOfFreedom, UpperTail(degreesOfFreedom, statistic));
    }

    /// <summary>
    /// Merges every cell whose expected count n·p (n = Σ observed) is below
    /// <see cref="MinimumExpectedCount"/> into one "rest" cell at the end; if the rest is still
    /// too small, the smallest remaining cells join it until it is large enough. The choice
    /// depends only on n and p, never on the counts, so the test stays valid. Cells with p = 0
    /// are kept as they are, so that a count there still fails.
    /// </summary>
    public static MergedCells MergeSmallCells(IReadOnlyList<long> observed, IReadOnlyList<double> probabilities)
    {
        ValidateCells(observed, probabilities);
        var merged = MergedCellsFor(observed.Sum(), probabilities);
        return new MergedCells(Pool(observed, merged, (a, b) => a + b), Pool(probabilities, merged, (a, b) => a + b));
    }

    /// <summary>
    /// Which cells <see cref="MergeSmallCells"/> pools into the rest cell for <paramref name="n"/> draws (a function of
    /// n and p alone), so that another law over the same cells can be pooled the same way with <see cref="Pool{T}"/>.
    /// </summary>
    public static bool[] MergedCellsFor(long n, IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var merged = new bool[probabilities.Count];
        var restProbability = 0.0;
        var anyMerged = false;
        for (var k = 0; k < probabilities.Count; k++)
        {
            if (probabilities[k] > 0.0 && n * probabilities[k] < MinimumExpectedCount)
            {
                merged[k] = true;
                restProbability += probabilities[k];
                anyMerged = true;
            }
        }

        if (anyMerged)
        {
            // Smallest first (lowest index among equals), so the rest grows as little as needed.
            var candidates = Enumerable.Range(0, probabilities.Count)
                .Where(k => !merged[k] && probabilities[k] > 0.0)
                .OrderBy(k => probabilities[k])
                .ToList();
            foreach (var k in candidates)
            {
                if (n * restProbability >= MinimumExpectedCount)
                {
                    break;
                }

                merged[k] = true;
                restProbability += probabilities[k];
            }
        }

        return merged;
    }

    /// <summary>The kept cells in their order, then (if any cell is merged) the rest cell combining the merged ones.</summary>
    public static IReadOnlyList<T> Pool<T>(IReadOnlyList<T> values, bool[] merged, Func<T, T, T> add)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(add);
        var kept = new List<T>();
        T rest = default!;
        var anyMerged = false;
        for (var k = 0; k < values.Count; k++)
        {
            if (!merged[k])
            {
                kept.Add(values[k]);
            }
            else
            {
                rest = anyMerged ? add(rest, values[k]) : values[k];
                anyMerged = true;
            }
        }

        if (anyMerged)
        {
            kept.Add(rest);
        }

        return kept;
    }

    /// <summary>
    /// The fewest draws n for which the chi-square test at level <paramref name="alpha"/> rejects,
    /// with probability at least 1 − <paramref name="beta"/>, a sampler whose law is off by the
    /// smallest bug that matters: <paramref name="delta"/> of mass moved from the most likely
    /// cell to the least likely positive cell (so TV(p, q) = δ). Uses the normal approximation of
    /// the noncentral chi-square: X² ≈ N(df + λ, 2(df + 2λ)) with λ = n·Σ(q − p)²/p.
    /// </summary>
    public static long RequiredSampleSize(IReadOnlyList<double> probabilities, double delta, double alpha, double beta)
    {
        var (degreesOfFreedom, perDrawNoncentrality) = SmallestBug(probabilities, delta);
        ValidateLevel(alpha, nameof(alpha));
        ValidateLevel(beta, nameof(beta));
        var critical = CriticalValue(degreesOfFreedom, alpha);
        var z = Normal.InvCDF(0.0, 1.0, 1.0 - beta);

        bool Enough(long n)
        {
            var lambda = n * perDrawNoncentrality;
            return (degreesOfFreedom + lambda - critical) / Math.Sqrt(2.0 * (degreesOfFreedom + 2.0 * lambda)) >= z;
        }

        var high = 1L;
        while (!Enough(high))
        {
            high *= 2;
        }

        return SmallestEnough(Enough, high / 2, high, 1); // high / 2 is not enough (or 0).
    }

    /// <summary>
    /// Bisects a monotone condition on counts: given <paramref name="low"/> not enough and <paramref name="high"/>
    /// enough, a count within <paramref name="resolution"/> above the smallest that is enough.
    /// </summary>
    internal static long SmallestEnough(Func<long, bool> enough, long low, long high, long resolution)
    {
        while (high - low > resolution)
        {
            var middle = low + (high - low) / 2;
            if (enough(middle))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }

    /// <summary>
    /// The power of the level-<paramref name="alpha"/> test with <paramref name="n"/> draws against
    /// the bug of <see cref="RequiredSampleSize"/>, by the same normal approximation.
    /// </summary>
    public static double ApproximatePower(IReadOnlyList<double> probabilities, double delta, double alpha, long n)
    {
        var (degreesOfFreedom, perDrawNoncentrality) = SmallestBug(probabilities, delta);
        ValidateLevel(alpha, nameof(alpha));
        var lambda = n * perDrawNoncentrality;
        var critical = CriticalValue(degreesOfFreedom, alpha);
        return 1.0 - Normal.CDF(degreesOfFreedom + lambda, Math.Sqrt(2.0 * (degreesOfFreedom + 2.0 * lambda)), critical);
    }

    /// <summary>
    /// P(χ²_df(λ) &gt; x) for the noncentral chi-square, as the Poisson(λ/2) mixture of central upper tails
    /// Σ_j Pois(j; λ/2)·Q((df + 2j)/2, x/2), summed over the terms that carry the mass (±12 standard deviations of the
    /// Poisson). Beyond λ = 10⁵ the normal approximation N(df + λ, 2(df + 2λ)) is used, whose error there is far below
    /// the figures' printed precision.
    /// </summary>
    public static double NoncentralUpperTail(int degreesOfFreedom, double noncentrality, double x)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (!(noncentrality >= 0.0) || double.IsPositiveInfinity(noncentrality))
        {
            throw new ArgumentOutOfRangeException(nameof(noncentrality), noncentrality, "λ must be finite and ≥ 0.");
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        if (noncentrality == 0.0)
        {
            return UpperTail(degreesOfFreedom, x);
        }

        if (noncentrality > 1e5)
        {
            return 1.0 - Normal.CDF(degreesOfFreedom + noncentrality, Math.Sqrt(2.0 * (degreesOfFreedom + 2.0 * noncentrality)), x);
        }

        var mean = noncentrality / 2.0;
        var spread = 12.0 * Math.Sqrt(mean) + 20.0;
        var first = (int)Math.Max(0.0, Math.Floor(mean - spread));
        var last = (int)Math.Ceiling(mean + spread);
        var tail = 0.0;
        for (var j = first; j <= last; j++)
        {
            tail += Math.Exp(Poisson.PMFLn(mean, j)) * UpperTail(degreesOfFreedom + 2 * j, x);
        }

        return Math.Clamp(tail, 0.0, 1.0);
    }

    /// <summary>The x with P(χ²_df(λ) &gt; x) = alpha: the critical value of a test whose null allows noncentrality up to λ.</summary>
    public static double NoncentralCriticalValue(int degreesOfFreedom, double noncentrality, double alpha)
    {
        ValidateLevel(alpha, nameof(alpha));
        if (noncentrality == 0.0)
        {
            return CriticalValue(degreesOfFreedom, alpha);
        }

        var low = 0.0;
        var high = degreesOfFreedom + noncentrality + 10.0;
        while (NoncentralUpperTail(degreesOfFreedom, noncentrality, high) > alpha)
        {
            low = high;
            high *= 2;
        }

        for (var i = 0; i < 100 && high - low > 1e-10 * high; i++)
        {
            var middle = 0.5 * (low + high);
            if (NoncentralUpperTail(degreesOfFreedom, noncentrality, middle) > alpha)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return 0.5 * (low + high);
    }

    /// <summary>The smallest noncentrality λ with P(χ²_df(λ) &gt; <paramref name="critical"/>) ≥ <paramref name="power"/> (bisection; the tail grows with λ).</summary>
    public static double NoncentralityReaching(int degreesOfFreedom, double critical, double power)
    {
        ValidateLevel(power, nameof(power));
        var low = 0.0;
        var high = 1.0;
        while (NoncentralUpperTail(degreesOfFreedom, high, critical) < power)
        {
            low = high;
            high *= 2;
        }

        for (var i = 0; i < 100 && high - low > 1e-9 * high; i++)
        {
            var middle = 0.5 * (low + high);
            if (NoncentralUpperTail(degreesOfFreedom, middle, critical) >= power)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }

    /// <summary>The x with P(χ²_df &gt; x) = alpha, by bisection on the regularized upper gamma function.</summary>
    public static double CriticalValue(int degreesOfFreedom, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        ValidateLevel(alpha, nameof(alpha));
        var low = 0.0;
        var high = degreesOfFreedom + 10.0;
        while (UpperTail(degreesOfFreedom, high) > alpha)
        {
            low = high;
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            var middle = 0.5 * (low + high);
            if (UpperTail(degreesOfFreedom, middle) > alpha)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return 0.5 * (low + high);
    }

    /// <summary>P(χ²_df &gt; x).</summary>
    public static double UpperTail(int degreesOfFreedom, double x) =>
        x <= 0.0 ? 1.0 : SpecialFunctions.GammaUpperRegularized(degreesOfFreedom / 2.0, x / 2.0);

    /// <summary>df, and Σ(q − p)²/p per draw for the δ-bug: δ moved from the most likely to the least likely positive cell.</summary>
    private static (int DegreesOfFreedom, double PerDrawNoncentrality) SmallestBug(IReadOnlyList<double> probabilities, double delta)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ValidateProbabilities(probabilities);
        var positive = Enumerable.Range(0, probabilities.Count).Where(k => probabilities[k] > 0.0).ToList();
        if (positive.Count < 2)
        {
            throw new ArgumentException("Needs at least two cells of positive probability.", nameof(probabilities));
        }

        var mostLikely = positive.MaxBy(k => probabilities[k]);
        var leastLikely = positive.Where(k => k != mostLikely).MinBy(k => probabilities[k]);
        if (!(delta > 0.0 && delta <= probabilities[mostLikely]))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, p_max].");
        }

        var perDraw = delta * delta / probabilities[mostLikely] + delta * delta / probabilities[leastLikely];
        return (positive.Count - 1, perDraw);
    }

    private static void ValidateCells(IReadOnlyList<long> observed, IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (observed.Count != probabilities.Count)
        {
            throw new ArgumentException($"{observed.Count} observed counts for {probabilities.Count} probabilities.", nameof(observed));
        }

        if (observed.Any(count => count < 0))
        {
            throw new ArgumentException("Counts must be ≥ 0.", nameof(observed));
        }

        ValidateProbabilities(probabilities);
    }

    private static void ValidateProbabilities(IReadOnlyList<double> probabilities)
    {
        if (probabilities.Any(p => !double.IsFinite(p) || p < 0.0))
        {
            throw new ArgumentException("Probabilities must be finite and ≥ 0.", nameof(probabilities));
        }

        var sum = probabilities.Sum();
        if (Math.Abs(sum - 1.0) > ProbabilitySumTolerance)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Probabilities sum to {sum:R}, not 1."), nameof(probabilities));
        }
    }

    private static void ValidateLevel(double level, string parameterName)
    {
        if (!(level > 0.0 && level < 1.0))
        {
            throw new ArgumentOutOfRangeException(parameterName, level, "Must be in (0, 1).");
        }
    }
}
