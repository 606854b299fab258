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
    /// <summary>The lexer channel the grammar sends comments to (<c>channel(2)</c> in TtsLexer.g4).</summary>
    private const int CommentChannel = 2;

    private SyntaxTree(SourceText source, CompilationUnitSyntax root, ImmutableArray<Comment> comments, ImmutableArray<Diagnostic> diagnostics)
    {
        Source = source;
        Root = root;
        Comments = comments;
        Diagnostics = diagnostics;
    }

    public SourceText Source { get; }

    public CompilationUnitSyntax Root { get; }

    /// <summary>Every comment of the file, in source order; the AST itself carries no trivia.</summary>
    public ImmutableArray<Comment> Comments { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public static SyntaxTree Parse(string text, string path = "<input>") => Parse(SourceText.From(text, path));

    public static SyntaxTree Parse(SourceText source) => NestingGuard.OnParserStack(() => ParseOnThisThread(source));

    private static SyntaxTree ParseOnThisThread(SourceText source)
    {
        var diagnostics = new DiagnosticBag();
        var listener = new SyntaxErrorListener(source, diagnostics);

        // A fresh lexer and parser per file: ANTLR objects are not thread-safe.
        var lexer = new TtsLexer(new AntlrInputStream(source.Text));
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        var comments = CollectComments(tokens);
        if (NestingGuard.FirstTooDeepToken(tokens.GetTokens()) is { } deepToken)
        {
            return TooDeep(source, diagnostics, comments, deepToken, "expression", NestingGuard.MaxBracketDepth);
        }

        tokens.Seek(0);
        var parser = new TtsParser(tokens);
        parser.RemoveErrorListeners();
        parser.AddErrorListener(listener);

        var tree = parser.compilationUnit();
        if (NestingGuard.FirstTooDeepNode(tree) is { } deepNode)
        {
            return TooDeep(source, diagnostics, comments, deepNode, "expression or chain of operators", NestingGuard.MaxTreeDepth);
        }

        var root = new AstBuilder(source, diagnostics).Build(tree);
        return new SyntaxTree(source, root, comments, diagnostics.ToImmutableSorted());
    }

    /// <summary>A file nested past the limits: one located error and an empty tree (nothing later has to recurse over it).</summary>
    private static SyntaxTree TooDeep(SourceText source, DiagnosticBag diagnostics, ImmutableArray<Comment> comments, IToken at, string what, int limit)
    {
        var start = Math.Max(0, Math.Min(at.StartIndex, source.Text.Length));
        diagnostics.Report(DiagnosticDescriptors.NestingTooDeep, source.GetLocation(TextSpan.FromBounds(start, Math.Max(start, Math.Min(at.StopIndex + 1, source.Text.Length)))), what, limit);
        var empty = new CompilationUnitSyntax(ImmutableArray<DeclarationSyntax>.Empty, new TextSpan(0, source.Text.Length));
        return new SyntaxTree(source, empty, comments, diagnostics.ToImmutableSorted());
    }

    /// <summary>
    /// The doc comments of a declaration: the run of comments directly above it, each on its own line, with
    /// no blank line between them or before the declaration. A comment trailing code on its line is not one.
    /// </summary>
    public ImmutableArray<Comment> GetLeadingComments(DeclarationSyntax declaration)
    {
        var text = Source.Text;
        var end = declaration.Span.Start;
        var index = Comments.Length;
        while (index > 0 && Comments[index - 1].Span.Start >= end)
        {
            index--;
        }

        var first = index;
        while (first > 0 && IsDirectlyAbove(Comments[first - 1], end))
        {
            end = Comments[first - 1].Span.Start;
            first--;
        }

        return Comments.Skip(first).Take(index - first).ToImmutableArray();

        bool IsDirectlyAbove(Comment comment, int followingStart) =>
            IsWhitespace(comment.Span.End, followingStart, out var newlines) && newlines <= 1
            && IsWhitespace(LineStart(comment.Span.Start), comment.Span.Start, out _);

        int LineStart(int offset)
        {
            while (offset > 0 && text[offset - 1] != '\n')
            {
                offset--;
            }

            return offset;
        }

        bool IsWhitespace(int start, int stop, out int newlines)
        {
            newlines = 0;
            for (var i = start; i < stop; i++)
            {
                if (text[i] == '\n')
                {
                    newlines++;
                }
                else if (!char.IsWhiteSpace(text[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static ImmutableArray<Comment> CollectComments(CommonTokenStream tokens)
    {
        tokens.Fill();
        return tokens.GetTokens()
            .Where(t => t.Channel == CommentChannel)
            .Select(t => new Comment(TextSpan.FromBounds(t.StartIndex, t.StopIndex + 1), t.Text))
            .ToImmutableArray();
    }
}
