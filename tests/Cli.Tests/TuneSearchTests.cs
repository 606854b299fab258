using Tts.Cli.Eval;
using Tts.Cli.Tune;

namespace Tts.Cli.Tests;

/// <summary>The pieces of `tts tune` that need no model: Pareto ranks, successive halving's rungs and its bookkeeping, ranges.</summary>
public sealed class TuneSearchTests
{
    [Fact]
    public void Pareto_ranks_peel_frontiers_and_the_frontier_is_cheapest_first_without_duplicates()
    {
        (double, double)[] points = [(10, 0.5), (20, 0.7), (15, 0.4), (40, 0.7), (20, 0.7), (5, 0.1), (30, 0.9)];
        Assert.Equal([0, 0, 1, 1, 0, 0, 0], ParetoFrontier.Ranks(points));
        Assert.Equal([5, 0, 1, 6], ParetoFrontier.Frontier(points));
        Assert.False(ParetoFrontier.Dominates((20, 0.7), (20, 0.7)));
        Assert.True(ParetoFrontier.Dominates((20, 0.7), (40, 0.7)));
    }

    [Theory]
    [InlineData(31, 100, 3, 10, new[] { 12, 34, 100 })]
    [InlineData(31, 1000, 3, 10, new[] { 38, 112, 334, 1000 })]
    [InlineData(3, 100, 3, 10, new[] { 100 })]
    [InlineData(10, 100, 2, 10, new[] { 13, 25, 50, 100 })]
    [InlineData(50, 12, 3, 10, new[] { 12 })]
    public void Rungs_grow_by_eta_up_to_the_whole_split_and_never_start_below_the_minimum(int candidates, int problems, int eta, int min, int[] expected) =>
        Assert.Equal(expected, SuccessiveHalving.Rungs(candidates, problems, eta, min));

    [Fact]
    public void Halving_runs_each_survivor_only_on_new_problems_and_keeps_the_frontier()
    {
        // Candidate c costs c tokens; it is right on a problem when (problem * 7 + c) % 10 < c: more often when costly.
        var candidates = Enumerable.Range(1, 9).ToList();
        var calls = new List<(int Candidate, int First, int Count)>();
        IReadOnlyList<ProblemOutcome> Evaluate(int c, int first, int count)
        {
            calls.Add((c, first, count));
            return Enumerable.Range(first, count).Select(p => new ProblemOutcome(p, (p * 7 + c) % 10 < c, "", c, 0)).ToList();
        }

        var entries = SuccessiveHalving.Run(candidates, [10, 30], eta: 3, Evaluate);

        foreach (var group in calls.GroupBy(c => c.Candidate))
        {
            // Contiguous, never overlapping: rung 2 adds problems 10..29 only.
            Assert.Equal(0, group.First().First);
            Assert.All(group.Zip(group.Skip(1)), pair => Assert.Equal(pair.First.First + pair.First.Count, pair.Second.First));
        }

        // Every candidate is right on exactly c of every 10 consecutive problems, so all 9 are on the frontier of
        // rung 1 (more tokens, more accuracy): the frontier rule keeps all of them although 1/eta would be 3.
        Assert.All(entries, e => Assert.Equal(1, e.Rung));
        Assert.All(entries, e => Assert.Equal(30, e.Outcomes.Count));
    }

    [Fact]
    public void Halving_drops_dominated_candidates_and_failed_ones()
    {
        // Candidates 0..8 all cost 1 token; candidate c is right on problems with p % 9 < c; candidate 4 fails.
        IReadOnlyList<ProblemOutcome> Evaluate(int c, int first, int count) =>
            c == 4
                ? throw new TuneEvaluationException("boom")
                : Enumerable.Range(first, count).Select(p => new ProblemOutcome(p, p % 9 < c, "", 1, 0)).ToList();

        var entries = SuccessiveHalving.Run(Enumerable.Range(0, 9).ToList(), [9, 27], eta: 3, Evaluate);

        // 8 candidates left after the failure: ceil(8 / 3) = 3 go on, the most accurate (8, 7, 6; 8 alone is the frontier).
        Assert.Equal([6, 7, 8], entries.Where(e => e.Rung == 1).Select(e => e.Candidate));
        Assert.Equal("boom", entries[4].Error);
        Assert.All(entries.Where(e => e.Rung == 0), e => Assert.Equal(9, e.Outcomes.Count));
    }

    [Fact]
    public void Summaries_give_wilson_intervals_and_a_normal_interval_of_mean_tokens()
    {
        var summary = OutcomeSummary.Of([new ProblemOutcome(0, true, "1", 10, 2), new ProblemOutcome(1, false, "", 20, 4), new ProblemOutcome(2, true, "1", 30, 0)]);
        Assert.Equal(2, summary.Correct);
        Assert.Equal(20, summary.Tokens, 12);
        Assert.Equal(WilsonInterval.Z95 * 10 / Math.Sqrt(3), summary.TokensHalfWidth, 12); // sample sd 10
        Assert.Equal(2, summary.RewardCalls, 12);
        Assert.Equal(WilsonInterval.Of(2, 3), (summary.Low, summary.High));
    }

    [Theory]
    [InlineData("n=1,2,4", null, "n", new[] { "1", "2", "4" })]
    [InlineData("pf.tau = 0.5, 1 ,0.5", "pf", "tau", new[] { "0.5", "1" })]
    public void Ranges_parse_with_an_optional_strategy(string text, string? strategy, string parameter, string[] values)
    {
        var range = ParameterRange.Parse(text);
        Assert.Equal(strategy, range.Strategy);
        Assert.Equal(parameter, range.Parameter);
        Assert.Equal(values, range.Values);
    }

    [Theory]
    [InlineData("n")]
    [InlineData("=1,2")]
    [InlineData("n=,")]
    public void Bad_ranges_are_user_errors(string text) => Assert.Throws<CliException>(() => ParameterRange.Parse(text));

    [Fact]
    public void Arithmetic_development_problems_avoid_the_held_out_ones_and_cycle_through_the_levels_as_they_do()
    {
        var splits = TuneSplits.Generated(Tts.Tasks.Arithmetic.ArithmeticTask.Definition, 40, 200);
        var dev = splits.Problems.Take(40).ToList();
        var held = splits.Problems.Skip(40).Select(p => p.Prompt).ToHashSet();
        Assert.Equal(200, splits.HeldOut);
        Assert.DoesNotContain(dev, p => held.Contains(p.Prompt));
        // Level = operators in the expression (the prompt is "Q: EXPR=?\n"; a leading minus never occurs).
        static int Level(string prompt) => prompt.Count(c => c is '+' or '-' or '*');
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i % 4 + 1), dev.Select(p => Level(p.Prompt)));
    }

    [Fact]
    public void Reach_splits_are_graded_by_its_checker_so_any_shortest_plan_counts_on_dev_and_held_out_problems()
    {
        var splits = TuneSplits.Generated(Tts.Tasks.Reach.ReachTask.Definition, 40, 80);
        var held = splits.Problems.Skip(40).Select(p => p.Prompt).ToHashSet();
        Assert.DoesNotContain(splits.Problems.Take(40), p => held.Contains(p.Prompt));
        var problems = Tts.Tasks.Reach.ReachTask.Problems(Tts.Tasks.TaskSplit.Test, 80, Tts.Tasks.Reach.ReachTask.TestSeed);
        Assert.Equal(problems.Select(p => p.Prompt), splits.Problems.Skip(40).Select(p => p.Prompt));
        foreach (var problem in splits.Problems)
        {
            Assert.True(splits.IsCorrect(problem, problem.Answer)); // the canonical plan, bare (a vote's key)
        }

        // 3 > 9: "+3+3" is canonical, "*2+3" as short; "+3*2-2-2+3" reaches 9 in five moves.
        var task = new GeneratedEvalTask(Tts.Tasks.Reach.ReachTask.Definition, [new Tts.Tasks.Reach.ReachProblem(3, 9)]);
        Assert.True(task.IsCorrect(task.Problems[0], "3*2=6\n6+3=9\nA: *2+3"));
        Assert.False(task.IsCorrect(task.Problems[0], "A: +3*2-2-2+3"));
        Assert.Equal("*2+3", task.ExtractAnswer("3*2=6\n6+3=9\nA: *2+3"));
    }
}
