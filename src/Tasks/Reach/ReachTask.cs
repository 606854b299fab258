namespace Tts.Tasks.Reach;

/// <summary>
/// The reach task (<see cref="ReachProblem"/>): seeded problems of levels 1..4 (the fewest moves), from disjoint train
/// and test splits (the FNV-1a hash of <c>START&gt;TARGET</c> puts a problem in the test split one time in five).
/// A problem of level L is drawn as a start in 1..20 and L random moves, kept when its target is in 1..99 and no
/// shorter plan reaches it.
/// </summary>
public static class ReachTask
{
    public const string Name = "reach";

    public const int MinLevel = 1;
    public const int MaxLevel = 4;

    /// <summary>The seed of the standard test set (what `tts eval --task reach` scores).</summary>
    public const int TestSeed = 20261202;

    /// <summary>The characters every prompt and solution is written with (the policy's vocabulary, besides EOS).</summary>
    public const string Alphabet = "0123456789+-*=>QA: \n";

    public static IGeneratedTask Definition { get; } = new GeneratedTask(Name, Alphabet, MinLevel, MaxLevel, TestSeed, Problems, ReachChecker.ExtractAnswer);

    public static TaskSplit SplitOf(ReachProblem problem) =>
        Arithmetic.ArithmeticTask.Fnv1a(problem.ToString()) % 5 == 0 ? TaskSplit.Test : TaskSplit.Train;

    /// <summary>One problem of <paramref name="level"/> drawn from <paramref name="random"/>.</summary>
    public static ReachProblem Next(Random random, int level)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        while (true)
        {
            var start = random.Next(1, 21);
            var value = start;
            for (var i = 0; i < level; i++)
            {
                var move = ReachMove.All[random.Next(ReachMove.All.Count)];
                value = move.TryApply(value) ?? value;
            }

            if (value is >= 1 and <= 99 && value != start && new ReachProblem(start, value) is { } problem && problem.Level == level)
            {
                return problem;
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> problems of <paramref name="split"/>, levels cycling through <paramref name="levels"/>
    /// (default 1..4). Problems may repeat (level 1 is a small space), as draws from a distribution do.
    /// </summary>
    public static IReadOnlyList<ReachProblem> Problems(TaskSplit split, int count, int seed, IReadOnlyList<int>? levels = null)
    {
        levels ??= Enumerable.Range(MinLevel, MaxLevel).ToArray();
        if (levels.Count == 0)
        {
            throw new ArgumentException("at least one level is needed", nameof(levels));
        }

        var random = new Random(seed);
        var problems = new List<ReachProblem>(count);
        while (problems.Count < count)
        {
            var problem = Next(random, levels[problems.Count % levels.Count]);
            if (SplitOf(problem) == split)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }
}
