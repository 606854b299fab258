namespace Tts.Cli.Tune;

/// <summary>Accuracy (higher is better) against cost (lower is better): non-dominated sorting and the frontier.</summary>
internal static class ParetoFrontier
{
    /// <summary>Whether <paramref name="a"/> dominates <paramref name="b"/>: no worse in both, better in one.</summary>
    public static bool Dominates((double Cost, double Accuracy) a, (double Cost, double Accuracy) b) =>
        a.Cost <= b.Cost && a.Accuracy >= b.Accuracy && (a.Cost < b.Cost || a.Accuracy > b.Accuracy);

    /// <summary>Each point's rank: 0 on the frontier, 1 on the frontier of the rest, and so on.</summary>
    public static int[] Ranks(IReadOnlyList<(double Cost, double Accuracy)> points)
    {
        var ranks = Enumerable.Repeat(-1, points.Count).ToArray();
        for (var rank = 0; ranks.Any(r => r < 0); rank++)
        {
            var open = Enumerable.Range(0, points.Count).Where(i => ranks[i] < 0).ToList();
            foreach (var i in open.Where(i => !open.Any(j => j != i && Dominates(points[j], points[i]))).ToList())
            {
                ranks[i] = rank;
            }
        }

        return ranks;
    }

    /// <summary>The indices of the non-dominated points, cheapest first (equal points: the first one given).</summary>
    public static IReadOnlyList<int> Frontier(IReadOnlyList<(double Cost, double Accuracy)> points)
    {
        var ranks = Ranks(points);
        var frontier = new List<int>();
        foreach (var i in Enumerable.Range(0, points.Count).Where(i => ranks[i] == 0).OrderBy(i => points[i].Cost).ThenBy(i => i))
        {
            if (!frontier.Any(j => points[j] == points[i]))
            {
                frontier.Add(i);
            }
        }

        return frontier;
    }
}
