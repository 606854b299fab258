using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Compiler.Lowering;
using Tts.Compiler.Passes;
using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Text;

namespace Tts.Compiler.Driver;

/// <summary>
/// One run of the pipeline over one file: parse → bind → lower → passes. Every stage's product is kept so
/// any of them can be dumped; lowering runs only when the front end reported no error.
/// </summary>
public sealed class Compilation
{
    private Compilation(SyntaxTree syntax, BoundProgram bound, IrModule? lowered, IrModule? optimized, ImmutableArray<Diagnostic> diagnostics)
    {
        Syntax = syntax;
        Bound = bound;
        Lowered = lowered;
        Optimized = optimized;
        Diagnostics = diagnostics;
    }

    public SyntaxTree Syntax { get; }

    public BoundProgram Bound { get; }

    /// <summary>The IR as lowered (-O0); null when the program has errors.</summary>
    public IrModule? Lowered { get; }

    /// <summary>The IR after the pipeline of the requested level; null when the program has errors.</summary>
    public IrModule? Optimized { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    public static Compilation Compile(string path) => Compile(SourceText.From(File.ReadAllText(path), path));

    public static Compilation Compile(SourceText source, OptimizationLevel level = OptimizationLevel.O1)
    {
        var syntax = SyntaxTree.Parse(source);
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(syntax.Diagnostics);
        var bound = Binder.Bind(syntax, diagnostics);
        if (diagnostics.HasErrors)
        {
            return new Compilation(syntax, bound, null, null, diagnostics.ToImmutableSorted());
        }

        var lowered = Lowerer.Lower(bound);
        var pipeline = PassPipeline.For(level);
        var optimized = lowered with { Functions = lowered.Functions.Select(f => pipeline.Run(f, lowered)).ToImmutableArray() };
        return new Compilation(syntax, bound, lowered, optimized, diagnostics.ToImmutableSorted());
    }
}
