using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Tts.SourceGenerators.Tests;

/// <summary>An AdditionalText held in memory, as the compiler hands .tts files to the generator.</summary>
internal sealed class InMemoryAdditionalText : AdditionalText
{
    private readonly SourceText _text;

    public InMemoryAdditionalText(string path, string text)
    {
        Path = path;
        _text = SourceText.From(text, Encoding.UTF8);
    }

    public override string Path { get; }

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Runs TtsGenerator with CSharpGeneratorDriver over in-memory C# and .tts files.</summary>
internal static class GeneratorHarness
{
    /// <summary>Documentation comments checked, as in a consumer with GenerateDocumentationFile: generated code must not warn then either.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>Everything the test host loads, Tts.Runtime included (the generated run methods call it).</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(System.IO.Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    /// <summary>A consumer that references Tts.Runtime, as a project using the generator does.</summary>
    public static CSharpCompilation Compilation(params string[] sources) => Compilation(withRuntime: true, sources);

    public static CSharpCompilation Compilation(bool withRuntime, params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/project/Source{i}.cs")),
            withRuntime ? References.Value : References.Value.Where(r => !IsTtsRuntime(r)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>
    /// Errors and warnings of the compiled output (generated code included), one per line, for assertion messages. The
    /// tests' own consumer sources (<c>/project/Source*.cs</c>) are left undocumented: their CS1591 is not about the generator.
    /// </summary>
    public static List<Diagnostic> ErrorsAndWarnings(Compilation output) =>
        output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && d.Location.SourceTree?.FilePath.StartsWith("/project/Source", StringComparison.Ordinal) == true))
            .ToList();

    private static bool IsTtsRuntime(MetadataReference reference) =>
        reference is PortableExecutableReference { FilePath: { } path } && System.IO.Path.GetFileName(path) == "Tts.Runtime.dll";

    public static GeneratorDriver Driver(params AdditionalText[] texts) =>
        CSharpGeneratorDriver.Create(
            new[] { new TtsGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(
        CSharpCompilation compilation, params AdditionalText[] texts)
    {
        var driver = Driver(texts).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (driver.GetRunResult(), output, diagnostics);
    }

    public static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(params AdditionalText[] texts) =>
        Run(Compilation("namespace Consumer { internal static class Anchor { } }"), texts);
}
