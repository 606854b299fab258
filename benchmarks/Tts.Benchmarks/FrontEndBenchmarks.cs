using BenchmarkDotNet.Attributes;
using Tts.Compiler.Driver;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Text;

namespace Tts.Benchmarks;

/// <summary>
/// Parse, bind and compile a 200+ line file that uses every construct of the language (target: parse + bind
/// under 20 ms warm). The file is the strategy library's shapes repeated under fresh names.
/// </summary>
[MemoryDiagnoser]
public class FrontEndBenchmarks
{
    private SourceText _source = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = SourceText.From(LargeProgram.Text, "large.tts");
        var diagnostics = new DiagnosticBag();
        Binder.Bind(SyntaxTree.Parse(_source), diagnostics);
        if (diagnostics.HasErrors)
        {
            throw new InvalidOperationException("the benchmark program has errors: " + string.Join("; ", diagnostics.ToImmutableSorted()));
        }
    }

    [Benchmark]
    public SyntaxTree Parse() => SyntaxTree.Parse(_source);

    [Benchmark]
    public object ParseAndBind() => Binder.Bind(SyntaxTree.Parse(_source), new DiagnosticBag());

    [Benchmark]
    public Compilation Compile() => Compilation.Compile(_source);
}
