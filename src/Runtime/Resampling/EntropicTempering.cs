namespace Tts.Runtime.Resampling;

/// <summary>
/// Entropic / annealed weighting (its_hub's EntropicParticleFiltering, ESS rule): the weights a run resamples from are
/// raised to the largest power β in (0, 1] whose effective sample size is at least a fraction f of the particles, so one
/// very heavy particle does not take every offspring. β = 1 (no change) when the weights already meet f·N.
/// </summary>
public static class EntropicTempering
{
    /// <summary>Bisection steps: the interval (0, 1] shrinks to 2^−60, far below a double's relative precision around 1.</summary>
    private const int Bisections = 60;

    /// <summary>
    /// The temperature for one run's log-weights: 1 when ESS(w) ≥ f·N; otherwise the largest β (to 2^−60) with
    /// ESS(w^β) ≥ f·N, found by bisection (ESS(w^β) falls from the number of live particles at β → 0 to ESS(w) at 1).
    /// When even β → 0 cannot reach f·N (too few particles are alive), the smallest β tried, 2^−60: the live particles
    /// then resample almost uniformly. Dead particles (−∞) stay dead.
    /// </summary>
    public static double Beta(IReadOnlyList<double> logWeights, double fraction)
    {
        ArgumentNullException.ThrowIfNull(logWeights);
        if (!(fraction > 0.0 && fraction <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The ESS fraction to reach must be in (0, 1].");
        }

        var target = fraction * logWeights.Count;
        if (!logWeights.Any(double.IsFinite) || Ess(logWeights, 1.0) >= target)
        {
            return 1.0;
        }

        var (low, high) = (0.0, 1.0);
        for (var i = 0; i < Bisections; i++)
        {
            var middle = 0.5 * (low + high);
            if (Ess(logWeights, middle) >= target)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return low > 0.0 ? low : high;
    }

    /// <summary>ESS of the weights raised to β: (Σ w^β)² / Σ w^(2β), computed shifted by the largest finite log-weight.</summary>
    public static double Ess(IReadOnlyList<double> logWeights, double beta)
    {
        ArgumentNullException.ThrowIfNull(logWeights);
        var max = logWeights.Where(double.IsFinite).DefaultIfEmpty(double.NegativeInfinity).Max();
        if (double.IsNegativeInfinity(max))
        {
            return 0.0;
        }

        double sum = 0.0, squares = 0.0;
        foreach (var w in logWeights)
        {
            if (double.IsFinite(w))
            {
                var v = Math.Exp(beta * (w - max));
                sum += v;
                squares += v * v;
            }
        }

        return sum * sum / squares;
    }
}
