using System.Globalization;

namespace Tts.Tasks.Arithmetic;

/// <summary>The arithmetic task as a <see cref="IGeneratedTask"/> (<see cref="ArithmeticTask.Definition"/>).</summary>
internal sealed class ArithmeticTaskDefinition : IGeneratedTask
{
    public string Name => ArithmeticTask.Name;

    public string Alphabet => ArithmeticTask.Alphabet;

    public int MinLevel => ArithmeticGenerator.MinLevel;

    public int MaxLevel => ArithmeticGenerator.MaxLevel;

    public int TestSeed => ArithmeticTask.TestSeed;

    public IReadOnlyList<IGeneratedProblem> Problems(TaskSplit split, int count, int seed, IReadOnlyList<int>? levels = null) =>
        ArithmeticTask.Problems(split, count, seed, levels);

    /// <summary>The integer after the last <c>A:</c> line, or the output itself when it is a bare integer (a vote's key).</summary>
    public string ExtractAnswer(string output) => Answer(output)?.ToString(CultureInfo.InvariantCulture) ?? "";

    internal static long? Answer(string output) =>
        long.TryParse(output.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bare) ? bare : ArithmeticChecker.ExtractAnswer(output);
}
