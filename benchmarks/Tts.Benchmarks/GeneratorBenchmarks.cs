using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Tts.Benchmarks;

/// <summary>
/// The source generator's run time (loaded as the compiler loads it: <see cref="GeneratorLoader"/>): a fresh <see cref="CSharpGeneratorDriver"/> over a small C# compilation with one
/// .tts file (examples/strategies/best_of_n.tts), as a build runs it; and a re-run after an unrelated C# edit, which
/// an incremental generator should make nearly free.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private ImmutableArray<AdditionalText> _texts;
    private GeneratorDriver _warmDriver = null!;
    private IIncrementalGenerator _generator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generator = GeneratorLoader.Load();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        _compilation = CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Anchor { } }", ParseOptions, path: "/project/Anchor.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _edited = _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Edit { } }", ParseOptions, path: "/project/Edit.cs"));
        var path = Path.Combine(RepositoryFiles.Directory("examples/strategies"), "best_of_n.tts");
        _texts = [new FileText(path, File.ReadAllText(path))];
        _warmDriver = Driver().RunGenerators(_compilation);
        var generated = _warmDriver.GetRunResult();
        if (generated.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) || generated.GeneratedTrees.IsEmpty)
        {
            throw new InvalidOperationException("the generator produced no source for best_of_n.tts: " + string.Join("; ", generated.Diagnostics));
        }
    }

    [Benchmark]
    public int FirstRun() => Driver().RunGenerators(_compilation).GetRunResult().GeneratedTrees.Length;

    [Benchmark]
    public int RerunAfterUnrelatedEdit() => _warmDriver.RunGenerators(_edited).GetRunResult().GeneratedTrees.Length;

    private GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([_generator.AsSourceGenerator()], _texts, ParseOptions);

    private sealed class FileText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, System.Text.Encoding.UTF8);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
