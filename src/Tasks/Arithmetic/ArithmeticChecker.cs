using System.Globalization;
using System.Text.RegularExpressions;

namespace Tts.Tasks.Arithmetic;

/// <summary>
/// Exact checks of (partial) solutions against a problem: the final answer (<c>A: INT</c>), and each line as a
/// step of the canonical solution. A line is correct when it is exactly the canonical next step of the expression
/// as reduced by the canonical steps before it (or, once one number is left, the answer line); every line after
/// the first wrong one counts as wrong, so a line's verdict says whether the solution is still on track there.
/// </summary>
public static partial class ArithmeticChecker
{
    /// <summary>The integer after the last <c>A:</c> at the start of a line; null when there is none or it is not an integer.</summary>
    public static long? ExtractAnswer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = AnswerLine().Matches(text);
        if (matches.Count == 0)
        {
            return null;
        }

        return long.TryParse(matches[^1].Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Whether the solution's final answer is the problem's answer.</summary>
    public static bool IsCorrect(ArithmeticProblem problem, string solution) => ExtractAnswer(solution) == problem.Answer;

    /// <summary>
    /// One verdict per line of <paramref name="solution"/> (a trailing newline ends the last line; it does not
    /// start an empty one): true while every line so far is the canonical step.
    /// </summary>
    public static IReadOnlyList<bool> CheckSteps(ArithmeticProblem problem, string solution)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var lines = SplitLines(solution);
        var verdicts = new bool[lines.Count];
        var values = problem.Numbers.ToList();
        var ops = problem.Operators.ToList();
        var answered = false;
        for (var i = 0; i < lines.Count; i++)
        {
            bool correct;
            if (answered)
            {
                correct = false;
            }
            else if (ops.Count == 0)
            {
                correct = lines[i] == ArithmeticProblem.AnswerPrefix + values[0].ToString(CultureInfo.InvariantCulture);
                answered = true;
            }
            else
            {
                var expected = ArithmeticProblem.NextStep(values, ops, out var at);
                correct = lines[i] == expected.ToString();
                values[at] = expected.Result;
                values.RemoveAt(at + 1);
                ops.RemoveAt(at);
            }

            if (!correct)
            {
                return verdicts; // this line and every later one stay false
            }

            verdicts[i] = true;
        }

        return verdicts;
    }

    /// <summary>Whether every line of the (partial) solution is on track: the exact process reward, 1 or 0.</summary>
    public static bool IsOnTrack(ArithmeticProblem problem, string solution) => CheckSteps(problem, solution).All(v => v);

    public static IReadOnlyList<string> SplitLines(string solution)
    {
        var text = solution.EndsWith('\n') ? solution[..^1] : solution;
        return text.Length == 0 ? [] : text.Split('\n');
    }

    [GeneratedRegex(@"(?m)^A:\s*(-?\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLine();
}
