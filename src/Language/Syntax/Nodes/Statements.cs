using System.Collections.Immutable;
using Tts.Language.Text;

namespace Tts.Language.Syntax.Nodes;

public abstract record StatementSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>population xs = sample policy(prompt, n: 8, ...)</c>.</summary>
public sealed record PopulationStatementSyntax(
    IdentifierSyntax Name,
    IdentifierSyntax Model,
    ImmutableArray<ArgumentSyntax> Arguments,
    TextSpan Span) : StatementSyntax(Span);

/// <summary><c>let x = expression</c>.</summary>
public sealed record LetStatementSyntax(IdentifierSyntax Name, ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>return expression</c>.</summary>
public sealed record ReturnStatementSyntax(ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);
