using System.Globalization;
using Tts.Tasks;
using Tts.Tasks.Arithmetic;

namespace Tts.Cli.Eval;

/// <summary>
/// The arithmetic task's test split (levels 1..4 in turn, <see cref="ArithmeticTask.TestSeed"/>). An output's answer
/// is the integer after its last <c>A:</c> line, or the output itself when it is a bare integer (a vote's key).
/// </summary>
internal sealed class ArithmeticEvalTask : IEvalTask
{
    public ArithmeticEvalTask(int count, int seed = ArithmeticTask.TestSeed)
    {
        Problems = ArithmeticTask.Problems(TaskSplit.Test, count, seed)
            .Select(p => new EvalProblem(p.Prompt, p.Answer.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }

    public string Name => ArithmeticTask.Name;

    public IReadOnlyList<EvalProblem> Problems { get; }

    public string ExtractAnswer(string output)
    {
        var trimmed = output.Trim();
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bare))
        {
            return bare.ToString(CultureInfo.InvariantCulture);
        }

        return ArithmeticChecker.ExtractAnswer(output)?.ToString(CultureInfo.InvariantCulture) ?? "";
    }
}
