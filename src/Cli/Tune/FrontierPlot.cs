using ScottPlot;

namespace Tts.Cli.Tune;

/// <summary>
/// Accuracy against tokens per problem (log scale): every searched candidate on the development split (grey), and
/// the frontier on the held-out split with 95% intervals of both coordinates, the chosen strategy marked.
/// </summary>
internal static class FrontierPlot
{
    public static void Save(
        string path, string title, IReadOnlyList<SearchEntry<TuneCandidate>> entries, IReadOnlyList<HeldOutResult> heldOut, SearchEntry<TuneCandidate>? chosen)
    {
        var plot = new Plot();
        var searched = entries.Where(e => e.Outcomes.Count > 0 && e.Summary.Tokens > 0).ToList();
        if (searched.Count > 0)
        {
            var dev = plot.Add.ScatterPoints(
                searched.Select(e => Math.Log10(e.Summary.Tokens)).ToArray(), searched.Select(e => 100 * e.Summary.Accuracy).ToArray(), Colors.Gray);
            dev.LegendText = "searched (development, fewer problems when halved out)";
            dev.MarkerSize = 5;
        }

        var frontier = heldOut.Where(h => h.Summary.Tokens > 0).OrderBy(h => h.Summary.Tokens).ToList();
        if (frontier.Count > 0)
        {
            var xs = frontier.Select(h => Math.Log10(h.Summary.Tokens)).ToArray();
            var ys = frontier.Select(h => 100 * h.Summary.Accuracy).ToArray();
            var line = plot.Add.Scatter(xs, ys, Colors.C0);
            line.LegendText = "development frontier, on held-out problems (95% intervals)";
            line.LineWidth = 2;
            line.MarkerSize = 7;
            plot.Add.Plottable(new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, null, null)
            {
                XErrorNegative = frontier.Select(h => Math.Log10(h.Summary.Tokens) - Math.Log10(Math.Max(1e-9, h.Summary.Tokens - h.Summary.TokensHalfWidth))).ToArray(),
                XErrorPositive = frontier.Select(h => Math.Log10(h.Summary.Tokens + h.Summary.TokensHalfWidth) - Math.Log10(h.Summary.Tokens)).ToArray(),
                YErrorNegative = frontier.Select(h => 100 * (h.Summary.Accuracy - h.Summary.Low)).ToArray(),
                YErrorPositive = frontier.Select(h => 100 * (h.Summary.High - h.Summary.Accuracy)).ToArray(),
                Color = Colors.C0,
            });
            for (var i = 0; i < frontier.Count; i++)
            {
                var label = plot.Add.Text(frontier[i].Entry.Candidate.Label, xs[i], ys[i]);
                label.LabelFontSize = 10;
                label.LabelRotation = -20;
            }

            if (frontier.FirstOrDefault(h => ReferenceEquals(h.Entry, chosen)) is { } picked)
            {
                var mark = plot.Add.ScatterPoints(new[] { Math.Log10(picked.Summary.Tokens) }, new[] { 100 * picked.Summary.Accuracy }, Colors.Red);
                mark.MarkerSize = 12;
                mark.MarkerShape = MarkerShape.OpenCircle;
                mark.LegendText = "chosen (most accurate on development within the budget)";
            }
        }

        var ticks = new[] { 10.0, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsY(0, 100);
        plot.XLabel("tokens per problem (log scale)");
        plot.YLabel("accuracy (%)");
        plot.Title(title);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1000, 650);
    }
}
