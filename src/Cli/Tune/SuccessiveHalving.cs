using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>A candidate's results so far: its outcomes on the first problems of the development split, in order.</summary>
internal sealed class SearchEntry<T>(T candidate)
{
    public T Candidate { get; } = candidate;

    public List<ProblemOutcome> Outcomes { get; } = [];

    /// <summary>The last rung it finished (-1: none); it survived into rung <c>Rung + 1</c> when that was run.</summary>
    public int Rung { get; set; } = -1;

    /// <summary>Why it failed (a model or runtime error); a failed candidate leaves the search.</summary>
    public string? Error { get; set; }

    public OutcomeSummary Summary => OutcomeSummary.Of(Outcomes);
}

/// <summary>
/// Successive halving (Jamieson and Talwalkar 2016; Li et al. 2018) for a Pareto frontier: every candidate runs on the
/// first problems of the development split; after each rung the best 1/eta go on — ranked by non-dominated sorting of
/// (tokens per problem, accuracy), then by accuracy — to a prefix eta times longer, and so on up to the whole split.
/// The frontier of a rung always goes on, so a cheap candidate is not dropped for being less accurate than a costly
/// one. Rungs are nested prefixes, so a survivor runs only the problems it has not run yet, and all candidates of a
/// rung are compared on the same problems. A grid is the same with one rung.
/// </summary>
internal static class SuccessiveHalving
{
    /// <summary>
    /// Problems per rung, increasing, the last <paramref name="problems"/>: enough rungs for the candidates to shrink to
    /// about one (1 + floor(log_eta candidates)), fewer when the first would have under <paramref name="minProblems"/>.
    /// </summary>
    public static IReadOnlyList<int> Rungs(int candidates, int problems, int eta, int minProblems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        var count = 1;
        for (var left = candidates; left > eta; left = (left + eta - 1) / eta)
        {
            count++;
        }

        while (count > 1 && Math.Ceiling(problems / Math.Pow(eta, count - 1)) < minProblems)
        {
            count--;
        }

        return Enumerable.Range(0, count).Select(k => (int)Math.Ceiling(problems / Math.Pow(eta, count - 1 - k))).Distinct().ToList();
    }

    /// <summary>
    /// Runs the search; <paramref name="evaluate"/> runs one candidate on problems [first, first + count) and throws
    /// <see cref="TuneEvaluationException"/> when it fails. Returns every entry, in the order of the candidates.
    /// </summary>
    public static IReadOnlyList<SearchEntry<T>> Run<T>(
        IReadOnlyList<T> candidates, IReadOnlyList<int> rungs, int eta, Func<T, int, int, IReadOnlyList<ProblemOutcome>> evaluate, Action<int, int, int>? onRung = null)
    {
        var entries = candidates.Select(c => new SearchEntry<T>(c)).ToList();
        var alive = entries.ToList();
        for (var rung = 0; rung < rungs.Count && alive.Count > 0; rung++)
        {
            onRung?.Invoke(rung, alive.Count, rungs[rung]);
            foreach (var entry in alive)
            {
                var first = entry.Outcomes.Count;
                try
                {
                    entry.Outcomes.AddRange(evaluate(entry.Candidate, first, rungs[rung] - first));
                    entry.Rung = rung;
                }
                catch (TuneEvaluationException exception)
                {
                    entry.Error = exception.Message;
                }
            }

            alive = alive.Where(e => e.Error is null).ToList();
            if (rung < rungs.Count - 1)
            {
                alive = Survivors(alive, eta);
            }
        }

        return entries;
    }

    /// <summary>The best ceil(n / eta) by Pareto rank then accuracy then tokens, and never fewer than the frontier.</summary>
    public static List<SearchEntry<T>> Survivors<T>(IReadOnlyList<SearchEntry<T>> entries, int eta)
    {
        var summaries = entries.Select(e => e.Summary).ToList();
        var ranks = ParetoFrontier.Ranks(summaries.Select(s => (s.Tokens, s.Accuracy)).ToList());
        var keep = Math.Max((entries.Count + eta - 1) / eta, ranks.Count(r => r == 0));
        return Enumerable.Range(0, entries.Count)
            .OrderBy(i => ranks[i]).ThenByDescending(i => summaries[i].Accuracy).ThenBy(i => summaries[i].Tokens).ThenBy(i => i)
            .Take(keep)
            .OrderBy(i => i)
            .Select(i => entries[i])
            .ToList();
    }
}

/// <summary>A candidate could not be evaluated (a model or runtime error): it leaves the search, the others go on.</summary>
internal sealed class TuneEvaluationException(string message) : Exception(message);
