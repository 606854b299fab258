using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tts.Runtime.Tests.Emit;

/// <summary>Compiles emitted C# in memory against the loaded runtime, failing on any error or warning.</summary>
internal static class EmittedAssembly
{
    private static int _count;

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        // The framework (trusted platform assemblies) and the project's assemblies the generated code names.
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"));
        var project = new[] { typeof(Tts.Runtime.Execution.StrategyRuntime), typeof(Tts.Semantics.BuiltinFunction), typeof(Tts.Compiler.IR.IrModule) }
            .Select(t => t.Assembly.Location);
        return platform.Concat(project).Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    });

    public static Assembly Compile(IEnumerable<(string Path, string Source)> sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, new CSharpParseOptions(LanguageVersion.Latest), s.Path)).ToList();
        var compilation = CSharpCompilation.Create(
            $"Tts.Emitted{Interlocked.Increment(ref _count)}",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(result.Success && problems.Count == 0,
            "the emitted C# does not compile cleanly:\n" + string.Join("\n", problems.Take(20).Select(d => d.ToString())));
        return Assembly.Load(image.ToArray());
    }
}
