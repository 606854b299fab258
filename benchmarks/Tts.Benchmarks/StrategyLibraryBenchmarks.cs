using BenchmarkDotNet.Attributes;
using Tts.Compiler.Driver;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Text;

namespace Tts.Benchmarks;

/// <summary>Parse, bind and compile (-O1) of each file of the strategy library, examples/strategies.</summary>
[MemoryDiagnoser]
public class StrategyLibraryBenchmarks
{
    private SourceText _source = null!;

    [ParamsSource(nameof(Files))]
    public string File { get; set; } = "";

    public static IEnumerable<string> Files => RepositoryFiles.StrategyFileNames();

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(RepositoryFiles.Directory("examples/strategies"), File);
        _source = SourceText.From(System.IO.File.ReadAllText(path), path);
    }

    [Benchmark]
    public SyntaxTree Parse() => SyntaxTree.Parse(_source);

    [Benchmark]
    public object ParseAndBind() => Binder.Bind(SyntaxTree.Parse(_source), new DiagnosticBag());

    [Benchmark]
    public Compilation Compile() => Compilation.Compile(_source);
}
