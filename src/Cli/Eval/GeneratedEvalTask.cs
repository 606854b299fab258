using Tts.Tasks;

namespace Tts.Cli.Eval;

/// <summary>
/// A generated task's test split (levels in turn, the task's test seed unless given), graded by the task's exact
/// checker: an output's answer is what the task reads from it (a whole solution or a bare answer, a vote's key), and it
/// is right when the checker accepts it for the problem (for the reach task, any shortest plan, not only the canonical one).
/// </summary>
internal sealed class GeneratedEvalTask : IEvalTask
{
    private readonly IGeneratedTask _task;
    private readonly Dictionary<string, IGeneratedProblem> _byPrompt = new(StringComparer.Ordinal);

    public GeneratedEvalTask(IGeneratedTask task, int count, int? seed = null)
        : this(task, task.Problems(TaskSplit.Test, count, seed ?? task.TestSeed))
    {
    }

    public GeneratedEvalTask(IGeneratedTask task, IReadOnlyList<IGeneratedProblem> problems)
    {
        _task = task;
        foreach (var problem in problems)
        {
            _byPrompt.TryAdd(problem.Prompt, problem);
        }

        Problems = problems.Select(p => new EvalProblem(p.Prompt, p.AnswerText)).ToList();
    }

    public string Name => _task.Name;

    public IReadOnlyList<EvalProblem> Problems { get; }

    public string ExtractAnswer(string output) => _task.ExtractAnswer(output);

    public bool IsCorrect(EvalProblem problem, string output) =>
        _byPrompt.TryGetValue(problem.Prompt, out var generated) ? generated.IsCorrect(output) : ExtractAnswer(output) == problem.Answer;

    /// <summary>The shipped policy of a generated task (<c>models/arith-policy</c> for arithmetic, <c>models/NAME-policy</c> otherwise).</summary>
    public static string DefaultPolicy(IGeneratedTask task) => $"models/{ModelPrefix(task)}-policy";

    /// <summary>The shipped process reward model of a generated task.</summary>
    public static string DefaultRewardModel(IGeneratedTask task) => $"models/{ModelPrefix(task)}-prm";

    private static string ModelPrefix(IGeneratedTask task) => task.Name == Tasks.Arithmetic.ArithmeticTask.Name ? "arith" : task.Name;
}
