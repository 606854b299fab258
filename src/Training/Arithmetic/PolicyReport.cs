using System.Globalization;
using Tts.Runtime.Models;
using Tts.Tasks;

namespace Tts.Training.Arithmetic;

/// <summary>Accuracy of single samples per level on the test split: what a trained policy is judged by.</summary>
public static class PolicyReport
{
    /// <summary>Accuracy per level; <paramref name="levelDone"/> hears each level as it finishes (a level takes tens of seconds on a CPU).</summary>
    public static IReadOnlyDictionary<int, double> Accuracy(
        IGeneratedTask task, ILanguageModel model, int problemsPerLevel, double temperature, ulong seed, Action<int, double>? levelDone = null)
    {
        var accuracy = new SortedDictionary<int, double>();
        for (var level = task.MinLevel; level <= task.MaxLevel; level++)
        {
            var problems = task.Problems(TaskSplit.Test, problemsPerLevel, task.TestSeed + level, [level]);
            var samples = PolicySampler.Sample(model, problems.Select(p => p.Prompt).ToList(), 1, temperature, 128, seed);
            accuracy[level] = problems.Select((p, i) => p.IsCorrect(samples[i][0]) ? 1.0 : 0.0).Average();
            levelDone?.Invoke(level, accuracy[level]);
        }

        return accuracy;
    }

    public static string Format(IReadOnlyDictionary<int, double> accuracy) =>
        string.Join("  ", accuracy.Select(a => string.Create(CultureInfo.InvariantCulture, $"level {a.Key}: {a.Value:P0}")));
}
