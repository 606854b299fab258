using System.Collections.Immutable;
using Tts.Language.Text;

namespace Tts.Language.Syntax.Nodes;

public abstract record ExpressionSyntax(TextSpan Span) : SyntaxNode(Span);

public enum LiteralKind
{
    Int,
    Real,
    Text,
    Bool,
}

/// <summary>A literal; <see cref="Value"/> is a long, double, string or bool (escapes already decoded).</summary>
public sealed record LiteralExpressionSyntax(LiteralKind Kind, object Value, TextSpan Span) : ExpressionSyntax(Span);

public sealed record NameExpressionSyntax(IdentifierSyntax Name, TextSpan Span) : ExpressionSyntax(Span);

/// <summary><c>callee(arguments)</c>; arguments may be positional or named (<c>by: expr</c>).</summary>
public sealed record CallExpressionSyntax(IdentifierSyntax Callee, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span)
    : ExpressionSyntax(Span);

public sealed record ArgumentSyntax(IdentifierSyntax? Name, ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

public sealed record UnaryExpressionSyntax(string Operator, ExpressionSyntax Operand, TextSpan Span) : ExpressionSyntax(Span);

public sealed record BinaryExpressionSyntax(ExpressionSyntax Left, string Operator, ExpressionSyntax Right, TextSpan Span)
    : ExpressionSyntax(Span);

public sealed record ListExpressionSyntax(ImmutableArray<ExpressionSyntax> Elements, TextSpan Span) : ExpressionSyntax(Span);

/// <summary>Stands in for an expression the parser could not read; already reported, so binders stay silent.</summary>
public sealed record MissingExpressionSyntax(TextSpan Span) : ExpressionSyntax(Span);
