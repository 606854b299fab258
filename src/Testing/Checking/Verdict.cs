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
/// The statistical comparison of the executor's outputs with a law: the test, its statistic (X², or the DKW
/// distance), degrees of freedom, p-value (chi-square) or bound (DKW ε), the alpha it was held to, the number of runs
/// and the smallest total-variation deviation it would catch with probability 1 − β.
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

        parts.Add(DegreesOfFreedom is { } df
            ? string.Create(inv, $"X² = {Statistic:G6}, df = {df}, p = {PValue:G4}")
            : string.Create(inv, $"D = {Statistic:G4}, bound = {Bound:G4}"));
        parts.Add(string.Create(inv, $"alpha = {Alpha:G3}"));
        parts.Add(string.Create(inv, $"n = {Runs}"));
        if (SmallestDetectable is { } delta)
        {
            parts.Add(string.Create(inv, $"detects a deviation of {delta:G3} (TV) with power {1 - Beta:G4}"));
        }

        if (RequiredRuns is { } required)
        {
            parts.Add(string.Create(inv, $"{required} runs needed for the requested deviation"));
        }

        parts.Add(Rejected ? "REJECTED" : "not rejected");
        return string.Join("; ", parts);
    }
}
