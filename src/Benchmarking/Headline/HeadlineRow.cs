namespace Tts.Benchmarking.Headline;

/// <summary>
/// One line of the headline table: what is compared (<c>Measure</c>, on <c>Setting</c>), the measured value and its
/// baseline from the same run (text with units), their <c>Ratio</c>, the target, whether it was met (null: no
/// target), and what limits the number.
/// </summary>
public sealed record HeadlineRow(
    string Key,
    string Measure,
    string Setting,
    string Measured,
    string Baseline,
    double Ratio,
    string Target,
    bool? Met,
    string Note)
{
    public string Verdict => Met switch { true => "met", false => "MISSED", null => "-" };
}
