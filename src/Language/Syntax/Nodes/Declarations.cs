using System.Collections.Immutable;
using Tts.Language.Text;

namespace Tts.Language.Syntax.Nodes;

/// <summary>A whole .tts file.</summary>
public sealed record CompilationUnitSyntax(ImmutableArray<DeclarationSyntax> Declarations, TextSpan Span) : SyntaxNode(Span);

public abstract record DeclarationSyntax(IdentifierSyntax Name, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>model policy: lm</c> — a model bound at run time.</summary>
public sealed record ModelDeclarationSyntax(IdentifierSyntax Name, IdentifierSyntax Kind, TextSpan Span)
    : DeclarationSyntax(Name, Span);

/// <summary><c>strategy name(params) -> type { body }</c>.</summary>
public sealed record StrategyDeclarationSyntax(
    IdentifierSyntax Name,
    ImmutableArray<ParameterSyntax> Parameters,
    TypeReferenceSyntax ReturnType,
    BlockSyntax Body,
    TextSpan Span) : DeclarationSyntax(Name, Span);

public sealed record ParameterSyntax(IdentifierSyntax Name, TypeReferenceSyntax Type, ExpressionSyntax? Default, TextSpan Span)
    : SyntaxNode(Span);

public sealed record TypeReferenceSyntax(IdentifierSyntax Name, TextSpan Span) : SyntaxNode(Span);

public sealed record BlockSyntax(ImmutableArray<StatementSyntax> Statements, TextSpan Span) : SyntaxNode(Span);
