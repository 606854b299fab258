using System.Collections.Immutable;
using Antlr4.Runtime;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Generated;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Syntax.Parsing;
using Tts.Language.Text;

namespace Tts.Language.Syntax;

/// <summary>A parsed .tts file: its source, its AST and the syntax diagnostics found while parsing.</summary>
public sealed class SyntaxTree
{
    private SyntaxTree(SourceText source, CompilationUnitSyntax root, ImmutableArray<Diagnostic> diagnostics)
    {
        Source = source;
        Root = root;
        Diagnostics = diagnostics;
    }

    public SourceText Source { get; }

    public CompilationUnitSyntax Root { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public static SyntaxTree Parse(string text, string path = "<input>") => Parse(SourceText.From(text, path));

    public static SyntaxTree Parse(SourceText source)
    {
        var diagnostics = new DiagnosticBag();
        var listener = new SyntaxErrorListener(source, diagnostics);

        // A fresh lexer and parser per file: ANTLR objects are not thread-safe.
        var lexer = new TtsLexer(new AntlrInputStream(source.Text));
        lexer.RemoveErrorListeners();
        var parser = new TtsParser(new CommonTokenStream(lexer));
        parser.RemoveErrorListeners();
        parser.AddErrorListener(listener);

        var tree = parser.compilationUnit();
        var root = new AstBuilder(source, diagnostics).Build(tree);
        return new SyntaxTree(source, root, diagnostics.ToImmutableSorted());
    }
}
