using Tts.Cli.Eval;
using Tts.Tasks;

namespace Tts.Cli.Tune;

/// <summary>
/// The development split (problems [0, Dev)) and the held-out split (problems [Dev, Dev + HeldOut)) of a tuning task,
/// as one problem list so that one set of bindings serves both and every problem keeps its own run index (its own
/// randomness). Answers are graded by the task the problems came from.
/// </summary>
internal sealed class TuneSplits : IEvalTask
{
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
    /// A generated task: held-out = the first <paramref name="heldOut"/> problems of its standard test set (what `tts
    /// eval` scores); dev = problems of the test split drawn from another seed (the test seed + 1 + level), none of them
    /// a held-out problem (the models were trained on the train split, so dev problems are as unseen as held-out ones).
    /// </summary>
    public static TuneSplits Generated(IGeneratedTask task, int dev, int heldOut)
    {
        var held = task.Problems(TaskSplit.Test, heldOut, task.TestSeed);
        var heldPrompts = held.Select(p => p.Prompt).ToHashSet(StringComparer.Ordinal);
        // Level by level, so that removing held-out problems (most often the first level's: its space is small) keeps
        // the levels cycling as in the held-out split instead of skewing development problems harder.
        var levels = Enumerable.Range(task.MinLevel, task.MaxLevel - task.MinLevel + 1).ToList();
        var perLevel = levels.Select(level => task.Problems(TaskSplit.Test, 2 * dev + 100, task.TestSeed + 1 + level, [level])
                .Where(p => !heldPrompts.Contains(p.Prompt))
                .ToList())
            .ToList();
        var devProblems = Enumerable.Range(0, dev).Select(i => (Level: i % levels.Count, Index: i / levels.Count))
            .Where(x => x.Index < perLevel[x.Level].Count)
            .Select(x => perLevel[x.Level][x.Index])
            .ToList();
        if (devProblems.Count != dev)
        {
            throw new CliException($"--dev {dev}: could not draw that many development problems apart from the held-out ones");
        }

        var grader = new GeneratedEvalTask(task, [.. devProblems, .. held]);
        return new TuneSplits(grader, grader.Problems.Take(dev).ToList(), grader.Problems.Skip(dev).ToList());
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
