using ScottPlot;

namespace Tts.Cli.Eval;

/// <summary>Accuracy against budget, one line per strategy with its 95% intervals, the budget axis in powers of two.</summary>
internal static class ResultsPlot
{
    private static readonly MarkerShape[] Markers =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare,
    ];

    /// <summary>
    /// The look of line <paramref name="i"/>: Category20's ten strong colours, then its ten light ones (dashed), so the
    /// first 20 lines differ in colour, and every line also has its marker from seven shapes (a count prime to 20), so
    /// lines 20 apart differ too. Category10 alone repeated its colours from the eleventh line.
    /// </summary>
    internal static (Color Color, MarkerShape Marker, LinePattern Pattern) Style(int i)
    {
        var light = (i / 10) % 2 == 1;
        var color = new ScottPlot.Palettes.Category20().GetColor(2 * (i % 10) + (light ? 1 : 0));
        return (color, Markers[i % Markers.Length], light ? LinePattern.Dashed : LinePattern.Solid);
    }

    public static void Save(string path, string title, IReadOnlyList<EvalResult> results, string budgetName)
    {
        var plot = new Plot();
        var strategies = results.Select(r => r.Strategy).Distinct().ToList(); // failed cells are left out
        for (var i = 0; i < strategies.Count; i++)
        {
            var rows = results.Where(r => r.Strategy == strategies[i] && !r.Failed).OrderBy(r => r.Budget).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            if (rows.All(r => r.Fixed))
            {
                // A strategy without a budget: a dashed reference line at its accuracy.
                var reference = plot.Add.HorizontalLine(100 * rows[0].Accuracy, 2, Style(i).Color, LinePattern.Dashed);
                reference.LegendText = strategies[i];
                continue;
            }

            var xs = rows.Select(r => Math.Log2(r.Budget)).ToArray();
            var ys = rows.Select(r => 100 * r.Accuracy).ToArray();
            var (color, marker, pattern) = Style(i);
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = strategies[i];
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.MarkerShape = marker;
            line.LinePattern = pattern;
            var bars = new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, null, null)
            {
                YErrorNegative = rows.Select(r => 100 * (r.Accuracy - r.Low)).ToArray(),
                YErrorPositive = rows.Select(r => 100 * (r.High - r.Accuracy)).ToArray(),
                Color = color,
            };
            plot.Add.Plottable(bars);
        }

        var budgets = results.Where(r => !r.Fixed).Select(r => r.Budget).DefaultIfEmpty(1).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            budgets.Select(b => Math.Log2(b)).ToArray(), budgets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsY(0, 100);
        plot.XLabel($"budget ({budgetName}, log scale)");
        plot.YLabel("accuracy (%), 95% Wilson intervals");
        plot.Title(title);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }
}
