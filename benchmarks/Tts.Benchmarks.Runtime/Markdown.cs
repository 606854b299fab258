using System.Globalization;
using Tts.Benchmarking.Headline;
using Tts.Benchmarking.Scaling;

namespace Tts.Benchmarks.Runtime;

/// <summary>The runner's results as markdown tables, pasted as they are into docs/performance.md.</summary>
internal static class Markdown
{
    public static void Headline(TextWriter output, HeadlineReport report)
    {
        output.WriteLine($"preset {report.Preset}, device {report.Device}; {report.Machine}; load average {report.LoadAverage}");
        output.WriteLine($"measured ceilings: {report.Rates}");
        output.WriteLine();
        output.WriteLine("| # | measure | measured | baseline | ratio | target | verdict |");
        output.WriteLine("|---:|---|---:|---:|---:|---|---|");
        for (var i = 0; i < report.Rows.Count; i++)
        {
            var r = report.Rows[i];
            output.WriteLine($"| {i + 1} | {r.Measure} | {r.Measured} | {r.Baseline} | {F(r.Ratio, "F3")} | {r.Target} | {(r.Met is null ? "-" : r.Met.Value ? "met" : "**MISSED**")} |");
        }

        output.WriteLine();
        for (var i = 0; i < report.Rows.Count; i++)
        {
            output.WriteLine($"{i + 1}. `{report.Rows[i].Key}`: {report.Rows[i].Setting}. {report.Rows[i].Note}.");
        }

        output.WriteLine();
        output.WriteLine($"total {F(report.TotalSeconds, "F1")} s");
    }

    public static void Curve(TextWriter output, string title, IReadOnlyList<ScalingPoint> points)
    {
        output.WriteLine($"#### {title}");
        output.WriteLine();
        output.WriteLine("| N | context | step (ms) | tokens/s | floor (ms) | bound | measured / floor | prefill (ms) |");
        output.WriteLine("|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var p in points)
        {
            output.WriteLine(
                $"| {p.Rows} | {p.Context} | {F(p.StepSeconds * 1e3, "F2")} | {F(p.TokensPerSecond, "F1")} | {F(p.FloorSeconds * 1e3, "F3")} | {p.Bound.ToString().ToLowerInvariant()} | {F(p.OverFloor, "F1")} | {F(p.PrefillSeconds * 1e3, "F1")} |");
        }

        output.WriteLine();
    }

    public static void Memory(TextWriter output, string model, IReadOnlyList<ScalingPoint> points)
    {
        output.WriteLine($"#### KV cache memory per particle: {model}");
        output.WriteLine();
        output.WriteLine("| N | context | bytes per position (config) | suffix capacity | per particle, predicted | per particle, allocated | shared prompt, allocated | match |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var p in points)
        {
            var m = p.Memory;
            output.WriteLine(
                $"| {p.Rows} | {p.Context} | {m.BytesPerPosition} | {m.SuffixCapacity} | {Bytes(m.PredictedSuffixBytesPerRow)} | {Bytes(m.AllocatedSuffixBytesPerRow)} | {Bytes(m.PrefixBytesAllocated)} | {(m.Matches ? "yes" : "**no**")} |");
        }

        output.WriteLine();
    }

    private static string Bytes(long bytes) =>
        bytes >= 1 << 20 ? F(bytes / (1024.0 * 1024), "F2") + " MiB" : F(bytes / 1024.0, "F1") + " KiB";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
