using System.Globalization;
using ScottPlot;
using Tts.Benchmarking.Scaling;

namespace Tts.Benchmarks.Runtime;

/// <summary>Tokens per second against N, one line per model, with each model's roofline ceiling (N / floor) dashed.</summary>
internal static class ScalingPlot
{
    public static void Save(string path, IReadOnlyList<(string Model, IReadOnlyList<ScalingPoint> Points)> curves)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < curves.Count; i++)
        {
            var (model, points) = curves[i];
            var xs = points.Select(p => Math.Log2(p.Rows)).ToArray();
            var measured = plot.Add.Scatter(xs, points.Select(p => Math.Log10(p.TokensPerSecond)).ToArray(), palette.GetColor(i));
            measured.LegendText = $"{model}: measured";
            measured.LineWidth = 2;
            measured.MarkerSize = 7;
            var ceiling = plot.Add.Scatter(xs, points.Select(p => Math.Log10(p.Rows / p.FloorSeconds)).ToArray(), palette.GetColor(i));
            ceiling.LegendText = $"{model}: roofline ceiling";
            ceiling.LinePattern = LinePattern.Dashed;
            ceiling.MarkerSize = 0;
        }

        var rows = curves.SelectMany(c => c.Points.Select(p => p.Rows)).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            rows.Select(n => Math.Log2(n)).ToArray(), rows.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        var decades = Enumerable.Range(0, 9).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            decades.Select(d => (double)d).ToArray(), decades.Select(d => Math.Pow(10, d).ToString("G", CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("particles N (log scale)");
        plot.YLabel("generated tokens per second (log scale)");
        plot.Title("Batched decode throughput against N, with the roofline ceiling");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 600);
    }
}
