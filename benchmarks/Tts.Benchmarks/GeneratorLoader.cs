using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace Tts.Benchmarks;

/// <summary>
/// Loads the source generator from its build output (src/SourceGenerators/bin/CONFIGURATION/netstandard2.0) in a load
/// context of its own, as the C# compiler loads analyzers: its netstandard2.0 Tts.Language stays apart from the
/// net10.0 one this process benchmarks, while Roslyn and the Antlr runtime are shared with the host.
/// </summary>
internal sealed class GeneratorLoader : AssemblyLoadContext
{
    private readonly string _directory;

    private GeneratorLoader(string directory)
        : base("tts-generator")
    {
        _directory = directory;
    }

    public static IIncrementalGenerator Load()
    {
        // The benchmark and the generator are built in the same configuration (Release or Debug).
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var directory = Path.Combine(RepositoryFiles.Directory("src/SourceGenerators"), "bin", configuration, "netstandard2.0");
        var path = Path.Combine(directory, "Tts.SourceGenerators.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found: build benchmarks/Tts.Benchmarks in {configuration} (it builds the generator)", path);
        }

        var assembly = new GeneratorLoader(directory).LoadFromAssemblyPath(path);
        var type = assembly.GetType("Tts.SourceGenerators.TtsGenerator", throwOnError: true)!;
        return (IIncrementalGenerator)Activator.CreateInstance(type)!;
    }

    /// <summary>The generator's own Tts assemblies from its folder; everything else (Roslyn, Antlr, the BCL) from the host.</summary>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
        return assemblyName.Name!.StartsWith("Tts.", StringComparison.Ordinal) && File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }
}
