using Tts.Cli.Eval;
using Tts.Tasks;
using Tts.Tasks.Arithmetic;

namespace Tts.Cli.Tune;

/// <summary>
/// The development split (problems [0, Dev)) and the held-out split (problems [Dev, Dev + HeldOut)) of a tuning task,
/// as one problem list so that one set of bindings serves both and every problem keeps its own run index (its own
/// randomness). Answers are graded by the task the problems came from.
/// </summary>
internal sealed class TuneSplits : IEvalTask
{
    /// <summary>The seed of the arithmetic development problems; the held-out split is the standard test set.</summary>
    public const int ArithmeticDevSeed = ArithmeticTask.TestSeed + 1;

    private readonly IEvalTask _grader;

    private TuneSplits(IEvalTask grader, IReadOnlyList<EvalProblem> dev, IReadOnlyList<EvalProblem> heldOut)
    {
        _grader = grader;
        Dev = dev.Count;
        HeldOut = heldOut.Count;
        Problems = dev.Concat(heldOut).ToList();
    }

    public string Name => _grader.Name;

    public int Dev { get; }

    public int HeldOut { get; }

    public IReadOnlyList<EvalProblem> Problems { get; }

    /// <summary>
    /// Arithmetic: held-out = the first <paramref name="heldOut"/> problems of the standard test set (what `tts eval`
    /// scores); dev = problems of the test split drawn from another seed, none of them a held-out problem (the models
    /// were trained on the train split, so dev problems are as unseen as held-out ones).
    /// </summary>
    public static TuneSplits Arithmetic(int dev, int heldOut)
    {
        var grader = new ArithmeticEvalTask(heldOut);
        var held = grader.Problems.Select(p => p.Prompt).ToHashSet(StringComparer.Ordinal);
        // Level by level, so that removing held-out problems (most often level 1's: its space is small) keeps the
        // levels cycling 1, 2, 3, 4 as in the held-out split instead of skewing development problems harder.
        var levels = Enumerable.Range(ArithmeticGenerator.MinLevel, ArithmeticGenerator.MaxLevel).ToList();
        var perLevel = levels.Select(level => ArithmeticTask.Problems(TaskSplit.Test, 2 * dev + 100, ArithmeticDevSeed + level, [level])
                .Select(p => new EvalProblem(p.Prompt, p.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Where(p => !held.Contains(p.Prompt))
                .ToList())
            .ToList();
        var devProblems = Enumerable.Range(0, dev).Select(i => (Level: i % levels.Count, Index: i / levels.Count))
            .Where(x => x.Index < perLevel[x.Level].Count)
            .Select(x => perLevel[x.Level][x.Index])
            .ToList();
        return devProblems.Count == dev
            ? new TuneSplits(grader, devProblems, grader.Problems)
            : throw new CliException($"--dev {dev}: could not draw that many development problems apart from the held-out ones");
    }

    /// <summary>A JSONL task: its first <paramref name="dev"/> problems for development, the next <paramref name="heldOut"/> held out.</summary>
    public static TuneSplits Jsonl(string path, string extractor, int dev, int heldOut)
    {
        var task = JsonlEvalTask.Load(path, extractor, null);
        return task.Problems.Count >= dev + heldOut
            ? new TuneSplits(task, task.Problems.Take(dev).ToList(), task.Problems.Skip(dev).Take(heldOut).ToList())
            : throw new CliException($"{path}: {task.Problems.Count} problems, but --dev {dev} and --held-out {heldOut} need {dev + heldOut}");
    }

    public string ExtractAnswer(string output) => _grader.ExtractAnswer(output);

    public bool IsCorrect(EvalProblem problem, string output) => _grader.IsCorrect(problem, output);
}
