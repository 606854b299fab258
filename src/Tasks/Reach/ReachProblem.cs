using System.Globalization;

namespace Tts.Tasks.Reach;

/// <summary>
/// A planning puzzle: reach the target from the start in as few moves as possible, each move one of <c>+3</c>,
/// <c>-2</c>, <c>*2</c>, never leaving 0..199. The prompt is <c>Q: START&gt;TARGET</c>; a solution writes one line per
/// move and ends with the plan, e.g. for 5 to 26:
/// <code>
/// Q: 5>26
/// 5*2=10
/// 10+3=13
/// 13*2=26
/// A: *2+3*2
/// </code>
/// Unlike the arithmetic task, a problem may have several right answers (every shortest plan); the canonical solution
/// takes, at each step, the first move in the order <c>+3</c>, <c>-2</c>, <c>*2</c> that stays on a shortest plan.
/// </summary>
public sealed class ReachProblem : IGeneratedProblem
{
    public const string AnswerPrefix = "A: ";

    private readonly int[] _distance;

    public ReachProblem(int start, int target)
    {
        if (start is < ReachMove.MinValue or > ReachMove.MaxValue || target is < ReachMove.MinValue or > ReachMove.MaxValue || start == target)
        {
            throw new ArgumentException($"no reach problem from {start} to {target}: both must be distinct values in {ReachMove.MinValue}..{ReachMove.MaxValue}");
        }

        Start = start;
        Target = target;
        _distance = DistancesTo(target);
        Level = _distance[start] >= 0 ? _distance[start] : throw new ArgumentException($"{target} cannot be reached from {start}");
        var moves = new List<ReachMove>();
        for (var value = start; value != target;)
        {
            var move = ReachMove.All.First(m => m.TryApply(value) is { } next && _distance[next] == _distance[value] - 1);
            moves.Add(move);
            value = move.Apply(value);
        }

        Plan = moves;
    }

    public int Start { get; }

    public int Target { get; }

    /// <summary>Difficulty: the fewest moves that reach the target.</summary>
    public int Level { get; }

    /// <summary>The canonical plan (one of the shortest).</summary>
    public IReadOnlyList<ReachMove> Plan { get; }

    public string Prompt => string.Create(CultureInfo.InvariantCulture, $"Q: {Start}>{Target}\n");

    public string AnswerText => string.Concat(Plan);

    public string Solution
    {
        get
        {
            var lines = new List<string>();
            var value = Start;
            foreach (var move in Plan)
            {
                lines.Add(move.Line(value));
                value = move.Apply(value);
            }

            lines.Add(AnswerPrefix + AnswerText);
            return string.Join("\n", lines);
        }
    }

    /// <summary>The fewest moves from <paramref name="value"/> to the target; -1 when it cannot be reached.</summary>
    public int DistanceFrom(int value) => value is >= ReachMove.MinValue and <= ReachMove.MaxValue ? _distance[value] : -1;

    public bool IsCorrect(string output) => ReachChecker.IsShortestPlan(this, ReachTask.Definition.ExtractAnswer(output));

    public IReadOnlyList<bool> CheckSteps(string solution) => ReachChecker.CheckSteps(this, solution);

    public string Corrupt(Random random) => ReachChecker.Corrupt(this, random);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}>{Target}");

    /// <summary>Breadth-first search backwards from the target: the fewest moves from every value (-1: unreachable).</summary>
    private static int[] DistancesTo(int target)
    {
        var distance = new int[ReachMove.MaxValue + 1];
        Array.Fill(distance, -1);
        distance[target] = 0;
        var queue = new Queue<int>([target]);
        while (queue.Count > 0)
        {
            var value = queue.Dequeue();
            // The values one move before: v - 3 (by +3), v + 2 (by -2), v / 2 (by *2, when v is even).
            foreach (var previous in (ReadOnlySpan<int>)[value - 3, value + 2, value % 2 == 0 ? value / 2 : -1])
            {
                if (previous is >= ReachMove.MinValue and <= ReachMove.MaxValue && distance[previous] < 0)
                {
                    distance[previous] = distance[value] + 1;
                    queue.Enqueue(previous);
                }
            }
        }

        return distance;
    }
}
