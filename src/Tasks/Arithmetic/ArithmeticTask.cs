using System.Globalization;
using System.Text;

namespace Tts.Tasks.Arithmetic;

/// <summary>
/// The multi-step arithmetic task: seeded problem sets for the train and test splits (disjoint: an expression's
/// FNV-1a hash puts it in the test split one time in five), levels 1..4 taken in turn.
/// </summary>
public static class ArithmeticTask
{
    public const string Name = "arithmetic";

    /// <summary>The seed of the standard test set (what `tts eval --task arithmetic` scores).</summary>
    public const int TestSeed = 20250901;

    /// <summary>The task as the trainers and evaluations take any generated task.</summary>
    public static IGeneratedTask Definition { get; } = new GeneratedTask(
        Name, Alphabet, ArithmeticGenerator.MinLevel, ArithmeticGenerator.MaxLevel, TestSeed, Problems,
        output => Answer(output)?.ToString(CultureInfo.InvariantCulture) ?? "");

    /// <summary>The integer after the last <c>A:</c> line, or the output itself when it is a bare integer (a vote's key).</summary>
    internal static long? Answer(string output) =>
        long.TryParse(output.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bare) ? bare : ArithmeticChecker.ExtractAnswer(output);

    public static TaskSplit SplitOf(string expression) => Fnv1a(expression) % 5 == 0 ? TaskSplit.Test : TaskSplit.Train;

    /// <summary>
    /// <paramref name="count"/> problems of <paramref name="split"/>, levels cycling through <paramref name="levels"/>
    /// (default 1..4). Problems may repeat (the easy levels are small spaces), as draws from a distribution do.
    /// </summary>
    public static IReadOnlyList<ArithmeticProblem> Problems(TaskSplit split, int count, int seed, IReadOnlyList<int>? levels = null)
    {
        levels ??= Enumerable.Range(ArithmeticGenerator.MinLevel, ArithmeticGenerator.MaxLevel).ToArray();
        if (levels.Count == 0)
        {
            throw new ArgumentException("at least one level is needed", nameof(levels));
        }

        var generator = new ArithmeticGenerator(seed);
        var problems = new List<ArithmeticProblem>(count);
        while (problems.Count < count)
        {
            var problem = generator.Next(levels[problems.Count % levels.Count]);
            if (SplitOf(problem.Expression) == split)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }

    /// <summary>The characters every prompt and solution is written with (the policy's vocabulary, besides EOS).</summary>
    public static string Alphabet => "0123456789+-*=?QA: \n";

    internal static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
