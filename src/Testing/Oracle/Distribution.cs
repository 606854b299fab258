using System.Globalization;

namespace Tts.Testing.Oracle;

/// <summary>An exact law over a finite set of outcomes: probabilities that sum to 1 (zero-probability outcomes are dropped).</summary>
public sealed class Distribution
{
    /// <summary>How far from 1 the probabilities of a law may sum (rounding of enumerations).</summary>
    public const double SumTolerance = 1e-9;

    private readonly Dictionary<Outcome, double> _probabilities;

    private Distribution(Dictionary<Outcome, double> probabilities)
    {
        _probabilities = probabilities;
    }

    public IReadOnlyDictionary<Outcome, double> Probabilities => _probabilities;

    public int Count => _probabilities.Count;

    public double this[Outcome outcome] => _probabilities.GetValueOrDefault(outcome);

    public double Probability(object? value) => this[new Outcome(value)];

    /// <summary>Outcomes in a stable order: most likely first, ties by their text.</summary>
    public IReadOnlyList<Outcome> Outcomes =>
        _probabilities.Keys.OrderByDescending(o => _probabilities[o]).ThenBy(o => o.ToString(), StringComparer.Ordinal).ToList();

    public static Distribution PointMass(object? value) => new(new Dictionary<Outcome, double> { [new Outcome(value)] = 1.0 });

    /// <summary>Normalizes non-negative masses (which must have a positive finite total) into a law.</summary>
    public static Distribution FromMasses(IEnumerable<KeyValuePair<Outcome, double>> masses)
    {
        var summed = new Dictionary<Outcome, double>();
        foreach (var (outcome, mass) in masses)
        {
            if (!(mass >= 0.0) || double.IsPositiveInfinity(mass))
            {
                throw new OracleException(string.Create(CultureInfo.InvariantCulture, $"the mass of {outcome} is {mass:R}; masses must be finite and ≥ 0"));
            }

            if (mass > 0.0)
            {
                summed[outcome] = summed.GetValueOrDefault(outcome) + mass;
            }
        }

        var total = summed.Values.Sum();
        if (!(total > 0.0))
        {
            throw new OracleException("the law has no mass: every outcome has weight 0 (every particle dies)");
        }

        return new Distribution(summed.ToDictionary(p => p.Key, p => p.Value / total));
    }

    /// <summary>A law given as probabilities that already sum to 1 within <see cref="SumTolerance"/>.</summary>
    public static Distribution FromProbabilities(IEnumerable<KeyValuePair<Outcome, double>> probabilities)
    {
        var list = probabilities.ToList();
        var total = list.Sum(p => p.Value);
        if (Math.Abs(total - 1.0) > SumTolerance)
        {
            throw new OracleException(string.Create(CultureInfo.InvariantCulture, $"probabilities sum to {total:R}, not 1"));
        }

        return FromMasses(list);
    }

    /// <summary>The law of f(X) for X with this law.</summary>
    public Distribution Map(Func<object?, object?> f) =>
        FromMasses(_probabilities.Select(p => new KeyValuePair<Outcome, double>(new Outcome(f(p.Key.Value)), p.Value)));

    /// <summary>The law given that the outcome satisfies <paramref name="keep"/>.</summary>
    public Distribution Where(Func<Outcome, bool> keep) => FromMasses(_probabilities.Where(p => keep(p.Key)));

    /// <summary>Total variation distance: ½ Σ |p − q| over the union of the supports.</summary>
    public double TotalVariation(Distribution other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var sum = 0.0;
        foreach (var outcome in _probabilities.Keys.Union(other._probabilities.Keys))
        {
            sum += Math.Abs(this[outcome] - other[outcome]);
        }

        return 0.5 * sum;
    }

    public override string ToString() =>
        "{" + string.Join(", ", Outcomes.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o}: {_probabilities[o]:G6}"))) + "}";
}
