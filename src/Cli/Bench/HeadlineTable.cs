using System.Globalization;
using Spectre.Console;
using Tts.Benchmarking.Headline;

namespace Tts.Cli.Bench;

/// <summary>The headline table as `tts bench` prints it: the machine, its ceilings, one row per comparison, then what limits each.</summary>
internal static class HeadlineTable
{
    /// <remarks>Plain lines go to <paramref name="output"/> unwrapped (they are long); only the table goes through the console.</remarks>
    public static void Write(IAnsiConsole console, TextWriter output, HeadlineReport report)
    {
        output.WriteLine($"tts bench ({report.Preset}) on {report.Device}: {report.Machine}; load average {report.LoadAverage}");
        output.WriteLine($"measured ceilings: {report.Rates}");
        // A smoke run checks that every row runs, on a tiny random model once: its ratios are noise, not measurements.
        var verdicts = report.Preset != HeadlineSettings.Smoke.Name;
        if (!verdicts)
        {
            output.WriteLine("smoke preset: every row runs once on a tiny random model; the numbers are not measurements, so no row gets a verdict (measure with --preset standard)");
        }

        var table = new Table { Title = new TableTitle("headline: every ratio against its baseline from this run") };
        table.AddColumn("#");
        table.AddColumn("measure");
        table.AddColumn(new TableColumn("measured").RightAligned());
        table.AddColumn(new TableColumn("baseline").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn("target");
        table.AddColumn("verdict");
        for (var i = 0; i < report.Rows.Count; i++)
        {
            var row = report.Rows[i];
            table.AddRow(
                new Text((i + 1).ToString(CultureInfo.InvariantCulture)),
                new Text(row.Measure),
                new Text(row.Measured),
                new Text(row.Baseline),
                new Text(row.Ratio.ToString("F3", CultureInfo.InvariantCulture)),
                new Text(row.Target),
                new Markup(!verdicts ? "not measured" : row.Met switch { true => "[green]met[/]", false => "[red]MISSED[/]", null => "-" }));
        }

        console.Write(table);
        for (var i = 0; i < report.Rows.Count; i++)
        {
            var row = report.Rows[i];
            output.WriteLine($"{i + 1}. [{row.Key}] {row.Setting}. {row.Note}.");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {report.TotalSeconds:F1} s"));
    }
}
