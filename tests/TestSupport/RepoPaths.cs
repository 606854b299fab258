namespace Tts.TestSupport;

/// <summary>Locates files of the repository from a test's output folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dsl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Dsl.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => RootPath.Value;

    public static string Combine(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());
}
