using System.Globalization;
using System.Text.RegularExpressions;

namespace Tts.Tasks.Reach;

/// <summary>
/// Exact checks of reach solutions. A plan is right when its moves, from the start, stay in 0..199 and reach the target
/// in the fewest moves (any shortest plan, not only the canonical one). A line is on track while every line so far is a
/// move from the current value, computed right, that keeps a shortest plan possible (the target one move closer); once
/// the target is reached, the answer line must state the moves written so far; every line after the first wrong one
/// is wrong.
/// </summary>
public static partial class ReachChecker
{
    /// <summary>The plan after the last <c>A:</c> at the start of a line, or the output itself when it is a bare plan (a vote's key); "" when none.</summary>
    public static string ExtractAnswer(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var trimmed = output.Trim();
        if (trimmed.Length > 0 && ReachMove.ParsePlan(trimmed) is not null)
        {
            return trimmed;
        }

        var matches = AnswerLine().Matches(output);
        return matches.Count == 0 ? "" : matches[^1].Groups[1].Value;
    }

    /// <summary>Whether <paramref name="plan"/> (e.g. <c>*2+3*2</c>) takes the problem's start to its target in the fewest moves.</summary>
    public static bool IsShortestPlan(ReachProblem problem, string plan)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var moves = ReachMove.ParsePlan(plan ?? "");
        if (moves is null || moves.Count != problem.Level)
        {
            return false;
        }

        int? value = problem.Start;
        foreach (var move in moves)
        {
            value = move.TryApply(value.Value);
            if (value is null)
            {
                return false;
            }
        }

        return value == problem.Target;
    }

    /// <summary>One verdict per line of <paramref name="solution"/> (a trailing newline ends the last line): true while on track.</summary>
    public static IReadOnlyList<bool> CheckSteps(ReachProblem problem, string solution)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var text = solution.EndsWith('\n') ? solution[..^1] : solution;
        var lines = text.Length == 0 ? [] : text.Split('\n');
        var verdicts = new bool[lines.Length];
        var value = problem.Start;
        var plan = "";
        for (var i = 0; i < lines.Length; i++)
        {
            if (value == problem.Target)
            {
                verdicts[i] = lines[i] == ReachProblem.AnswerPrefix + plan;
                return verdicts; // the answer line ends the solution: every later line is wrong
            }

            var move = ReachMove.All.FirstOrDefault(m => m.TryApply(value) is { } next
                                                         && problem.DistanceFrom(next) == problem.DistanceFrom(value) - 1
                                                         && lines[i] == m.Line(value));
            if (move is null)
            {
                return verdicts; // this line and every later one stay false
            }

            verdicts[i] = true;
            plan += move.ToString();
            value = move.Apply(value);
        }

        return verdicts;
    }

    /// <summary>
    /// A hard negative: the canonical solution up to one wrong line, cut after it. The wrong line is a detour (a legal,
    /// rightly computed move that does not bring the target closer), a slip (the canonical move with a wrong result),
    /// or, at the end, an answer line with one move changed.
    /// </summary>
    public static string Corrupt(ReachProblem problem, Random random)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(random);
        var lines = problem.Solution.Split('\n').ToList();
        var at = random.Next(lines.Count);
        var value = problem.Start;
        foreach (var move in problem.Plan.Take(at))
        {
            value = move.Apply(value);
        }

        string wrong;
        if (at == problem.Plan.Count)
        {
            var plan = problem.Plan.ToArray();
            var changed = random.Next(plan.Length);
            plan[changed] = ReachMove.All.Where(m => m != plan[changed]).ElementAt(random.Next(ReachMove.All.Count - 1));
            wrong = ReachProblem.AnswerPrefix + string.Concat(plan);
        }
        else
        {
            var detours = ReachMove.All.Where(m => m.TryApply(value) is { } next && problem.DistanceFrom(next) != problem.DistanceFrom(value) - 1).ToList();
            if (detours.Count > 0 && random.Next(2) == 0)
            {
                wrong = detours[random.Next(detours.Count)].Line(value);
            }
            else
            {
                var move = problem.Plan[at];
                var offsets = new[] { -10, -2, -1, 1, 2, 10 };
                var result = move.Apply(value) + offsets[random.Next(offsets.Length)];
                wrong = string.Create(CultureInfo.InvariantCulture, $"{value}{move}={result}");
            }
        }

        return string.Join("\n", lines.Take(at).Append(wrong));
    }

    [GeneratedRegex(@"(?m)^A:[ \t]*(\S*)[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLine();
}
