using Tts.Language.Text;

namespace Tts.Language.Syntax.Nodes;

/// <summary>Base of the immutable AST. Every node knows the span of source it came from.</summary>
public abstract record SyntaxNode(TextSpan Span);

/// <summary>A name as written, with its own span (for precise diagnostics).</summary>
public sealed record IdentifierSyntax(string Name, TextSpan Span) : SyntaxNode(Span)
{
    /// <summary>Stands in for a name the parser could not read; binders skip it silently.</summary>
    public bool IsMissing => Name.Length == 0;

    public override string ToString() => Name;
}
