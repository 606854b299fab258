namespace Tts.Testing.Oracle;

/// <summary>
/// Speculative sampling for one token (Leviathan et al. 2023; Chen et al. 2023): a draft token x ~ q is accepted with
/// probability min(1, p(x)/q(x)); on rejection the token is drawn from normalize((p − q)+). The emitted token follows
/// p exactly and the acceptance rate is Σ min(p, q) = 1 − TV(p, q).
/// </summary>
public static class SpeculativeLaws
{
    /// <summary>The law of the emitted token, computed from the algorithm's branches (not assumed to be p).</summary>
    public static double[] EmittedLaw(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Validate(p, q);
        var law = new double[p.Count];
        var residual = new double[p.Count];
        for (var x = 0; x < p.Count; x++)
        {
            law[x] += q[x] == 0.0 ? 0.0 : q[x] * Math.Min(1.0, p[x] / q[x]);
            residual[x] = Math.Max(0.0, p[x] - q[x]);
        }

        var rejection = 1.0 - AcceptanceRate(p, q);
        var residualMass = residual.Sum();
        if (rejection > 0.0 && residualMass > 0.0)
        {
            for (var x = 0; x < p.Count; x++)
            {
                law[x] += rejection * residual[x] / residualMass;
            }
        }

        return law;
    }

    /// <summary>P(accept) = Σ_x q(x)·min(1, p(x)/q(x)) = Σ_x min(p(x), q(x)).</summary>
    public static double AcceptanceRate(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        Validate(p, q);
        return p.Zip(q, Math.Min).Sum();
    }

    private static void Validate(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.Count != q.Count)
        {
            throw new ArgumentException($"{p.Count} target probabilities for {q.Count} draft probabilities.", nameof(q));
        }
    }
}
