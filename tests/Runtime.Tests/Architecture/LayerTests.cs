using System.Reflection;
using System.Xml.Linq;
using Tts.Runtime.Execution;
using Tts.TestSupport;

namespace Tts.Runtime.Tests.Architecture;

/// <summary>
/// The layers of docs/architecture.md: Semantics at the bottom; the front end (Language, Compiler) and the Runtime
/// beside each other, neither reaching the other; Execution above both. A project reference that runs the wrong way
/// fails here, by the project files and by what the built runtime assembly references.
/// </summary>
public sealed class LayerTests
{
    /// <summary>Each project and the projects it may reference directly (src/ only; tests and tools may use anything).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Semantics"] = [],
        ["Language"] = ["Semantics"],
        ["Compiler"] = ["Language"],
        ["Runtime"] = ["Semantics"],
        ["Execution"] = ["Compiler", "Runtime"],
        ["Tasks"] = [],
        ["Training"] = ["Runtime", "Tasks"],
        ["Testing"] = ["Execution"],
        ["Benchmarking"] = ["Execution", "Tasks", "Engines/Gguf"], // tts bench engines drives llama.cpp by hand
        ["SourceGenerators"] = ["Language", "Compiler"],
        ["Serving"] = ["Runtime"],
        ["Engines/Remote"] = ["Runtime"],
        ["Engines/Gguf"] = ["Runtime"],
        ["Cli"] = ["Execution", "Tasks", "Training", "Testing", "Benchmarking", "Serving", "Engines/Remote", "Engines/Gguf"],
    };

    [Fact]
    public void Every_project_references_only_the_layers_below_it()
    {
        var projects = Projects();
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), projects);
        foreach (var project in projects)
        {
            var references = ProjectReferences(project!);
            var wrong = references.Except(Allowed[project!]).ToList();
            Assert.True(wrong.Count == 0, $"src/{project} references {string.Join(", ", wrong)}, which its layer may not use");
        }
    }

    [Fact]
    public void The_runtime_reaches_neither_the_front_end_nor_the_compiler()
    {
        var reachable = Reachable("Runtime");
        Assert.DoesNotContain("Language", reachable);
        Assert.DoesNotContain("Compiler", reachable);

        var referenced = typeof(StrategyRuntime).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(referenced, name => name is "Tts.Language" or "Tts.Compiler" or "Tts.Execution" || name.StartsWith("Antlr", StringComparison.Ordinal));
        Assert.Contains("Tts.Semantics", referenced);
    }

    [Fact]
    public void Only_the_engines_and_the_command_line_reach_llama_cpp()
    {
        var referenced = typeof(StrategyRuntime).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain("LLamaSharp", referenced);
        var runtimeProject = File.ReadAllText(RepoPaths.Combine("src", "Runtime", "Tts.Runtime.csproj"));
        Assert.DoesNotContain("LLamaSharp", runtimeProject, StringComparison.Ordinal);
    }

    private static HashSet<string> Reachable(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            foreach (var reference in ProjectReferences(pending.Pop()).Where(seen.Add))
            {
                pending.Push(reference);
            }
        }

        return seen;
    }

    /// <summary>The projects under src/, by folder relative to src/ ("Runtime"; engines one level down: "Engines/Remote").</summary>
    private static List<string> Projects()
    {
        var source = RepoPaths.Combine("src");
        return Directory.GetFiles(source, "*.csproj", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(source, Path.GetDirectoryName(file)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The src/ folders (relative to src/) a project's ProjectReference items point at.</summary>
    private static List<string> ProjectReferences(string project)
    {
        var folder = RepoPaths.Combine("src", project);
        var file = Directory.GetFiles(folder, "*.csproj").Single();
        return XDocument.Load(file).Descendants("ProjectReference")
            .Select(r => Path.GetFullPath(Path.Combine(folder, r.Attribute("Include")!.Value.Replace('\\', '/'))))
            .Select(path => Path.GetRelativePath(RepoPaths.Combine("src"), Path.GetDirectoryName(path)!).Replace('\\', '/'))
            .ToList();
    }
}
