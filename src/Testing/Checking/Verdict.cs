using System.Globalization;
using System.Text;
using Tts.Language.Binding.Guarantees;

namespace Tts.Testing.Checking;

/// <summary>
/// The outcome of checking one strategy: the claim, whether the reference semantics agree with it (an exact
/// comparison of the oracle's output law with the target), and whether the executor's runs agree with the oracle
/// (a statistical test with its statistic, p-value or bound, sample size and the smallest deviation it could see).
/// </summary>
public sealed record Verdict(
    string Strategy,
    Guarantee Claim,
    string Target,
    double? ClaimDistance,
    string ClaimCheck,
    RuntimeCheck? Runtime,
    string? RuntimeSkipped,
    bool Refuted,
    IReadOnlyList<string> Reasons)
{
    public string Format()
    {
        var text = new StringBuilder();
        var verdict = Refuted ? "REFUTED" : "consistent with the claim";
        text.AppendLine(CultureInfo.InvariantCulture, $"strategy {Strategy}: {verdict}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  claim:    {Claim.ToString().ToLowerInvariant()} (target: {Target})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  oracle:   {ClaimCheck}");
        if (Runtime is { } runtime)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  runtime:  {runtime.Describe()}");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  runtime:  not checked: {RuntimeSkipped}");
        }

        foreach (var reason in Reasons)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  refuted because {reason}");
        }

        return text.ToString();
    }
}

/// <summary>
/// The statistical comparison of the executor's outputs with a law: the test, its statistic (X²), degrees of freedom,
/// p-value, the tolerance its null allows (a consistent strategy's χ distance), the alpha it was held to, the number of
/// runs, the smallest total-variation deviation it catches with probability 1 − β <b>in every direction</b> (the worst
/// case over laws at that distance, <see cref="Statistics.WorstCasePower"/>), and its power against stated alternatives.
/// </summary>
public sealed record RuntimeCheck(
    string Test,
    string Against,
    double Statistic,
    int? DegreesOfFreedom,
    double? PValue,
    double? Bound,
    double Alpha,
    long Runs,
    double? SmallestDetectable,
    double Beta,
    long? RequiredRuns,
    bool Rejected,
    string? Note = null)
{
    /// <summary>The number of cells the chi-square compared (after pooling rare outcomes).</summary>
    public int? Cells { get; init; }

    /// <summary>The probability of the rare outcomes pooled into one cell (deviations among them are not resolved); null when none were.</summary>
    public double? RestMass { get; init; }

    /// <summary>The power of these runs against each stated alternative law.</summary>
    public IReadOnlyList<AlternativePower> Alternatives { get; init; } = [];

    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string> { $"{Test} against {Against}" };
        if (Test == "support check")
        {
            parts.Add(Rejected ? "an output outside the law's support" : string.Create(inv, $"all {Runs} outputs in the support"));
            if (Note is not null)
            {
                parts.Add(Note);
            }

            return string.Join("; ", parts);
        }

        parts.Add(string.Create(inv, $"X² = {Statistic:G6}, df = {DegreesOfFreedom}, p = {PValue:G4}"));
        if (Bound is { } tolerance)
        {
            parts.Add(string.Create(inv, $"tolerance χ ≤ {tolerance:G3}"));
        }

        parts.Add(string.Create(inv, $"alpha = {Alpha:G3}"));
        parts.Add(string.Create(inv, $"n = {Runs}"));
        if (SmallestDetectable is { } delta)
        {
            var pooled = RestMass is { } rest ? string.Create(inv, $", the rarest outcomes pooled into one of mass {rest:G3}") : "";
            parts.Add(delta <= 1
                ? string.Create(inv, $"power {1 - Beta:G4} against every deviation of TV ≥ {delta:G3} (worst case over its {Cells} cells{pooled})")
                : string.Create(inv, $"no power {1 - Beta:G4} against every deviation of any TV (worst case over its {Cells} cells{pooled})"));
        }

        foreach (var alternative in Alternatives)
        {
            parts.Add(string.Create(inv, $"power {alternative.Power:G3} against the {alternative.Name}"));
        }

        if (RequiredRuns is { } required)
        {
            parts.Add(string.Create(inv, $"{required} runs needed for the requested deviation"));
        }

        parts.Add(Rejected ? "REJECTED" : "not rejected");
        return string.Join("; ", parts);
    }
}

/// <summary>A stated alternative to the law a check tests, e.g. the same program at a temperature 5% off.</summary>
public sealed record Alternative(string Name, Oracle.Distribution Law);

/// <summary>The probability that a check's runs reject the law when the runtime in fact follows the alternative.</summary>
public sealed record AlternativePower(string Name, double Power);
