namespace Tts.Tasks;

/// <summary>The tasks the project generates, by name.</summary>
public static class GeneratedTasks
{
    public static IReadOnlyList<IGeneratedTask> All { get; } = [Arithmetic.ArithmeticTask.Definition, Reach.ReachTask.Definition];

    public static string Names => string.Join(", ", All.Select(t => t.Name));

    /// <summary>The task named <paramref name="name"/>, or null.</summary>
    public static IGeneratedTask? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
