using System.Collections.Immutable;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Syntax.Nodes;

/// <summary>A whole .tts file.</summary>
public sealed record CompilationUnitSyntax(ImmutableArray<DeclarationSyntax> Declarations, TextSpan Span) : SyntaxNode(Span);

public abstract record DeclarationSyntax(IdentifierSyntax Name, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>model policy: lm</c> — a model bound at run time. The kind is optional (<c>lm</c>).</summary>
public sealed record ModelDeclarationSyntax(IdentifierSyntax Name, IdentifierSyntax? Kind, TextSpan Span)
    : DeclarationSyntax(Name, Span);

/// <summary><c>reward prm: Score</c> — a function of a text bound at run time (C# or a built-in).</summary>
public sealed record FunctionDeclarationSyntax(FunctionKind Kind, IdentifierSyntax Name, TypeReferenceSyntax? ResultType, TextSpan Span)
    : DeclarationSyntax(Name, Span);

/// <summary><c>strategy name(params) -> type clauses { body }</c>.</summary>
public sealed record StrategyDeclarationSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeReferenceSyntax ReturnType,
    ImmutableArray<StrategyClauseSyntax> Clauses,
    BlockSyntax Body,
    TextSpan Span) : DeclarationSyntax(Name, Span);

public abstract record StrategyClauseSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>claims exact</c>: a checked contract on the inferred guarantee.</summary>
public sealed record ClaimsClauseSyntax(IdentifierSyntax Guarantee, TextSpan Span) : StrategyClauseSyntax(Span);

/// <summary><c>budget tokens &lt;= 4096 * n, calls &lt;= 100</c>.</summary>
public sealed record BudgetClauseSyntax(ImmutableArray<BudgetLimitSyntax> Limits, TextSpan Span) : StrategyClauseSyntax(Span);

public sealed record BudgetLimitSyntax(IdentifierSyntax Resource, ExpressionSyntax Limit, TextSpan Span) : SyntaxNode(Span);

public sealed record ParameterSyntax(IdentifierSyntax Name, TypeReferenceSyntax Type, ExpressionSyntax? Default, TextSpan Span)
    : SyntaxNode(Span);

public sealed record TypeReferenceSyntax(IdentifierSyntax Name, TextSpan Span) : SyntaxNode(Span);

public sealed record BlockSyntax(ImmutableArray<StatementSyntax> Statements, TextSpan Span) : SyntaxNode(Span);
