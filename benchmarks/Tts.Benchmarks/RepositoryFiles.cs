namespace Tts.Benchmarks;

/// <summary>Files of the repository, found from the working directory upwards (run from anywhere inside it).</summary>
internal static class RepositoryFiles
{
    public static string Directory(string relative)
    {
        for (var directory = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relative} not found under the working directory or its parents: run from the repository");
    }

    /// <summary>The strategy library, examples/strategies/*.tts, by file name.</summary>
    public static IEnumerable<string> StrategyFileNames() =>
        System.IO.Directory.GetFiles(Directory("examples/strategies"), "*.tts").Select(Path.GetFileName).Order().ToList()!;
}
