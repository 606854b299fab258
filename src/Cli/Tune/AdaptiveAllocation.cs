namespace Tts.Cli.Tune;

/// <summary>One independent sample of a problem: the answer it states ("" when none) and its tokens.</summary>
internal sealed record PoolSample(string Answer, long Tokens);

/// <summary>
/// Majority votes over a pool of independent samples per problem, and how many of each problem's samples a vote uses:
/// the same number for every problem (uniform), or more for the undecided (adaptive, as PETS and adaptive
/// self-consistency do). Samples are used in pool order, so a vote over the first k samples is exactly what drawing k
/// samples would give, and both allocations are compared on the same draws.
/// </summary>
internal static class AdaptiveAllocation
{
    /// <summary>The most frequent non-empty answer among <paramref name="samples"/> (a tie: the one that got there first), "" when none.</summary>
    public static string Vote(IEnumerable<PoolSample> samples)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var (best, bestCount) = ("", 0);
        foreach (var sample in samples.Where(s => s.Answer.Length > 0))
        {
            var count = counts[sample.Answer] = counts.GetValueOrDefault(sample.Answer) + 1;
            if (count > bestCount)
            {
                (best, bestCount) = (sample.Answer, count);
            }
        }

        return best;
    }

    /// <summary>The leader's lead over the runner-up among the first <paramref name="used"/> samples (empty answers count for no one).</summary>
    public static int Margin(IReadOnlyList<PoolSample> samples, int used)
    {
        var counts = samples.Take(used).Where(s => s.Answer.Length > 0).GroupBy(s => s.Answer, StringComparer.Ordinal).Select(g => g.Count()).OrderDescending().ToList();
        return counts.Count switch
        {
            0 => 0,
            1 => counts[0],
            _ => counts[0] - counts[1],
        };
    }

    public static long Tokens(IReadOnlyList<IReadOnlyList<PoolSample>> pool, IReadOnlyList<int> used) =>
        pool.Select((samples, i) => samples.Take(used[i]).Sum(s => s.Tokens)).Sum();

    /// <summary>
    /// Samples per problem within <paramref name="tokenBudget"/> total tokens: first <paramref name="initial"/> each
    /// (or as many as fit), then one more at a time to the problem whose vote is closest (smallest margin; then fewest
    /// samples; then first), skipping a problem whose next sample would overrun the budget or whose pool is used up.
    /// </summary>
    public static int[] Adaptive(IReadOnlyList<IReadOnlyList<PoolSample>> pool, long tokenBudget, int initial)
    {
        var used = new int[pool.Count];
        long spent = 0;
        for (var round = 0; round < initial; round++)
        {
            for (var i = 0; i < pool.Count; i++)
            {
                if (used[i] < pool[i].Count && spent + pool[i][used[i]].Tokens <= tokenBudget)
                {
                    spent += pool[i][used[i]++].Tokens;
                }
            }
        }

        var open = Enumerable.Range(0, pool.Count).Where(i => used[i] < pool[i].Count).ToHashSet();
        while (open.Count > 0)
        {
            var next = open.OrderBy(i => Margin(pool[i], used[i])).ThenBy(i => used[i]).ThenBy(i => i).First();
            if (spent + pool[next][used[next]].Tokens > tokenBudget)
            {
                open.Remove(next);
                continue;
            }

            spent += pool[next][used[next]++].Tokens;
            if (used[next] == pool[next].Count)
            {
                open.Remove(next);
            }
        }

        return used;
    }
}
