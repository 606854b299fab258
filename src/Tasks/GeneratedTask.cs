namespace Tts.Tasks;

/// <summary>A <see cref="IGeneratedTask"/> made of a task's constants and its generator and answer reader.</summary>
internal sealed class GeneratedTask(
    string name, string alphabet, int minLevel, int maxLevel, int testSeed,
    Func<TaskSplit, int, int, IReadOnlyList<int>?, IReadOnlyList<IGeneratedProblem>> problems, Func<string, string> extractAnswer) : IGeneratedTask
{
    public string Name => name;

    public string Alphabet => alphabet;

    public int MinLevel => minLevel;

    public int MaxLevel => maxLevel;

    public int TestSeed => testSeed;

    public IReadOnlyList<IGeneratedProblem> Problems(TaskSplit split, int count, int seed, IReadOnlyList<int>? levels = null) => problems(split, count, seed, levels);

    public string ExtractAnswer(string output) => extractAnswer(output);
}
