using Tts.Tasks.Reach;

namespace Tts.Tasks.Tests;

public sealed class ReachTaskTests
{
    [Fact]
    public void The_canonical_solution_writes_one_line_per_move_then_the_plan()
    {
        var problem = new ReachProblem(5, 26);
        Assert.Equal("Q: 5>26\n", problem.Prompt);
        Assert.Equal(3, problem.Level);
        Assert.Equal("5*2=10\n10+3=13\n13*2=26\nA: *2+3*2", problem.Solution);
        Assert.Equal("*2+3*2", problem.AnswerText);
    }

    [Fact]
    public void The_canonical_plan_prefers_plus_three_then_minus_two_then_doubling()
    {
        Assert.Equal("+3+3", new ReachProblem(3, 9).AnswerText); // *2+3 is as short
        Assert.Equal("+3+3-2*2", new ReachProblem(7, 22).AnswerText); // one of four shortest plans
        Assert.Equal("*2-2", new ReachProblem(1, 0).AnswerText);
    }

    [Theory]
    [InlineData(3, 9, "+3+3", true)]
    [InlineData(3, 9, "*2+3", true)] // another shortest plan is right too
    [InlineData(7, 22, "*2-2*2-2", true)]
    [InlineData(7, 22, "-2+3+3*2", true)]
    [InlineData(3, 9, "+3-2+3+2", false)] // not a move
    [InlineData(3, 9, "+3*2-2-2+3", false)] // reaches 9, but in five moves
    [InlineData(3, 9, "+3", false)] // stops short
    [InlineData(3, 9, "", false)]
    [InlineData(3, 9, "+3+", false)]
    [InlineData(1, 0, "-2+3-2", false)] // reaches 0 through -1: leaves 0..199 (and is longer)
    [InlineData(5, 26, "*2+3*2", true)]
    [InlineData(5, 26, "*2*2+3", false)] // three moves, but 23
    public void A_plan_is_right_when_it_reaches_the_target_in_the_fewest_moves(int start, int target, string plan, bool right)
    {
        var problem = new ReachProblem(start, target);
        Assert.Equal(right, ReachChecker.IsShortestPlan(problem, plan));
        Assert.Equal(right, problem.IsCorrect(plan)); // a bare plan: a vote's key
        Assert.Equal(right, problem.IsCorrect($"3+3=6\nA: {plan}\n")); // a whole solution: its answer line counts
    }

    [Fact]
    public void A_plan_that_would_leave_the_range_is_wrong_even_if_it_ends_on_the_target()
    {
        // 100*2 = 200 is over 199: the two-move plan through it does not count, and the fewest legal moves are four.
        var problem = new ReachProblem(100, 198);
        Assert.Equal(4, problem.Level);
        Assert.False(ReachChecker.IsShortestPlan(problem, "*2-2"));
        Assert.True(ReachChecker.IsShortestPlan(problem, "-2-2+3*2"));
        Assert.Equal("100+3=103\n103-2=101\n101-2=99\n99*2=198\nA: +3-2-2*2", problem.Solution);
    }

    [Theory]
    [InlineData("A: *2+3", "*2+3")]
    [InlineData("5*2=10\nA: *2\nA: +3+3\n", "+3+3")] // the last answer line
    [InlineData("  *2+3\n", "*2+3")] // a bare plan
    [InlineData("5*2=10\n10+3=13", "")]
    [InlineData("A:", "")]
    public void The_answer_is_the_last_answer_line_or_a_bare_plan(string output, string answer)
    {
        Assert.Equal(answer, ReachChecker.ExtractAnswer(output));
        Assert.Equal(answer, ReachTask.Definition.ExtractAnswer(output));
    }

    [Theory]
    [InlineData("5*2=10\n10+3=13\n13*2=26\nA: *2+3*2", "1111")]
    [InlineData("5*2=10\n10+3=13\n13*2=26\nA: *2+3*2\n", "1111")] // a trailing newline ends the last line
    [InlineData("5*2=10\n10+3=13\n13*2=26\nA: *2*2+3", "1110")] // the answer must state the moves written
    [InlineData("5*2=10\n10+3=13\n13*2=26\nA: *2+3*2\n26-2=24", "11110")] // nothing after the answer
    [InlineData("5+3=8\n8*2=16", "00")] // a legal move off every shortest plan: a detour
    [InlineData("5*2=10\n10+3=14\n14*2=28", "100")] // a slip, and everything after it
    [InlineData("5*2=10\n10+3=13\nA: *2+3", "110")] // answering before the target is reached
    [InlineData("5*2=10\n10 +3=13", "10")] // the exact line only
    [InlineData("", "")]
    public void Each_line_is_on_track_while_a_shortest_plan_is_still_followed(string solution, string expected)
    {
        var verdicts = new ReachProblem(5, 26).CheckSteps(solution);
        Assert.Equal(expected, string.Concat(verdicts.Select(v => v ? '1' : '0')));
    }

    [Fact]
    public void Another_shortest_plan_is_on_track_at_every_line()
    {
        var problem = new ReachProblem(7, 22);
        Assert.All(problem.CheckSteps("7*2=14\n14-2=12\n12*2=24\n24-2=22\nA: *2-2*2-2"), Assert.True);
    }

    [Fact]
    public void Every_generated_problem_has_its_level_as_the_fewest_moves_and_a_canonical_solution_both_checkers_accept()
    {
        var levels = new HashSet<int>();
        foreach (var problem in ReachTask.Problems(TaskSplit.Train, 400, seed: 3))
        {
            levels.Add(problem.Level);
            Assert.Equal(problem.Level, problem.Plan.Count);
            Assert.Equal(ForwardDistance(problem.Start, problem.Target), problem.Level);
            Assert.True(problem.IsCorrect(problem.Solution));
            var verdicts = problem.CheckSteps(problem.Solution);
            Assert.Equal(problem.Level + 1, verdicts.Count);
            Assert.All(verdicts, Assert.True);
            Assert.InRange(problem.Start, 1, 20);
            Assert.InRange(problem.Target, 1, 99);
        }

        Assert.Equal([1, 2, 3, 4], levels.Order());
    }

    [Fact]
    public void The_same_seed_gives_the_same_problems_and_levels_cycle()
    {
        var first = ReachTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.ToString()).ToList();
        Assert.Equal(first, ReachTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.ToString()).ToList());
        Assert.NotEqual(first, ReachTask.Problems(TaskSplit.Test, 40, seed: 12).Select(p => p.ToString()).ToList());
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 1 + i % 4), ReachTask.Problems(TaskSplit.Test, 40, seed: 11).Select(p => p.Level));
        // Pinned: Random with a seed is a fixed algorithm, so these are the problems on every machine.
        Assert.Equal(first.Take(4), PinnedFirstTestProblems);
    }

    [Fact]
    public void Train_and_test_problems_never_overlap()
    {
        var train = ReachTask.Problems(TaskSplit.Train, 3000, seed: 1).Select(p => p.ToString()).ToHashSet();
        var test = ReachTask.Problems(TaskSplit.Test, 600, seed: 2).Select(p => p.ToString()).ToHashSet();
        Assert.Empty(train.Intersect(test));
    }

    [Fact]
    public void Corrupted_solutions_end_with_exactly_one_wrong_line_at_every_position()
    {
        var random = new Random(7);
        var positions = new HashSet<(int Level, int Line)>();
        foreach (var problem in ReachTask.Problems(TaskSplit.Train, 400, seed: 5))
        {
            var solution = problem.Corrupt(random);
            var verdicts = problem.CheckSteps(solution);
            Assert.False(verdicts[^1], $"{problem.Prompt}{solution}");
            Assert.All(verdicts.Take(verdicts.Count - 1), Assert.True);
            positions.Add((problem.Level, verdicts.Count - 1));
        }

        Assert.Equal(2 + 3 + 4 + 5, positions.Count);
    }

    [Fact]
    public void The_tasks_are_found_by_name()
    {
        Assert.Same(ReachTask.Definition, GeneratedTasks.Find("reach"));
        Assert.Same(Arithmetic.ArithmeticTask.Definition, GeneratedTasks.Find("arithmetic"));
        Assert.Null(GeneratedTasks.Find("chess"));
        Assert.All(GeneratedTasks.All, task => Assert.All(
            task.Problems(TaskSplit.Test, 20, task.TestSeed),
            p => Assert.All(p.Prompt + p.Solution, c => Assert.Contains(c, task.Alphabet))));
    }

    private static readonly string[] PinnedFirstTestProblems = ["10>20", "12>27", "5>18", "19>80"];

    /// <summary>The fewest moves by breadth-first search forwards (the problem searches backwards from the target).</summary>
    private static int ForwardDistance(int start, int target)
    {
        var distance = new Dictionary<int, int> { [start] = 0 };
        var queue = new Queue<int>([start]);
        while (queue.Count > 0)
        {
            var value = queue.Dequeue();
            foreach (var move in ReachMove.All)
            {
                if (move.TryApply(value) is { } next && distance.TryAdd(next, distance[value] + 1))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return distance[target];
    }
}
