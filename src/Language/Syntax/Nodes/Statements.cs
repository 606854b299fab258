using System.Collections.Immutable;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Syntax.Nodes;

public abstract record StatementSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>let x = expression</c>.</summary>
public sealed record LetStatementSyntax(IdentifierSyntax Name, ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>population xs = SOURCE</c>.</summary>
public sealed record PopulationStatementSyntax(IdentifierSyntax Name, PopulationSourceSyntax Source, TextSpan Span) : StatementSyntax(Span);

public abstract record PopulationSourceSyntax(TextSpan Span) : SyntaxNode(Span);

/// <summary><c>sample policy(prompt, n: 8, ...)</c>: i.i.d. draws from the decoding law.</summary>
public sealed record SampleSourceSyntax(IdentifierSyntax Model, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span)
    : PopulationSourceSyntax(Span);

/// <summary><c>race policy(prompt, n: 8, ...) first 3</c>: decode n, keep the first m to finish.</summary>
public sealed record RaceSourceSyntax(IdentifierSyntax Model, ImmutableArray<ArgumentSyntax> Arguments, ExpressionSyntax First, TextSpan Span)
    : PopulationSourceSyntax(Span);

/// <summary>An expression that yields a population: <c>spawn(...)</c>, <c>rank(...)</c>, <c>repeat(...)</c>, a strategy call.</summary>
public sealed record ExpressionSourceSyntax(ExpressionSyntax Expression, TextSpan Span) : PopulationSourceSyntax(Span);

/// <summary><c>name op value</c> in a <c>with</c> list: <c>resample = systematic</c>, <c>ess &lt; 0.5</c>, <c>steps &lt;= 40</c>.</summary>
public sealed record LoopOptionSyntax(IdentifierSyntax Name, string Operator, ExpressionSyntax Value, TextSpan Span) : SyntaxNode(Span);

/// <summary><c>smc ps with ... { ... }</c>: sequential Monte Carlo over a population.</summary>
public sealed record SmcStatementSyntax(IdentifierSyntax Target, ImmutableArray<LoopOptionSyntax> Options, BlockSyntax Body, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>search ps with method = beam, ... { ... }</c>: beam, diverse tree or best-first search.</summary>
public sealed record SearchStatementSyntax(IdentifierSyntax Target, ImmutableArray<LoopOptionSyntax> Options, BlockSyntax Body, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>extend ps by policy(stop: "\n", ...)</c>: one decoding step of every live particle.</summary>
public sealed record ExtendStatementSyntax(IdentifierSyntax Target, IdentifierSyntax Model, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span)
    : StatementSyntax(Span);

/// <summary>
/// <c>reextend ps where c by large(...)</c>: the particles where <c>c</c> holds lose the step the preceding <c>extend</c> gave
/// them and redraw it from another model (two-model step speculation).
/// </summary>
public sealed record ReextendStatementSyntax(
    IdentifierSyntax Target, ExpressionSyntax Condition, IdentifierSyntax Model, ImmutableArray<ArgumentSyntax> Arguments, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>factor</c>, <c>observe</c>, <c>condition</c>, <c>twist</c> or <c>score</c> on a population.</summary>
public sealed record ParticleUpdateSyntax(ParticleUpdateKind Kind, IdentifierSyntax Target, ExpressionSyntax Value, TextSpan Span)
    : StatementSyntax(Span);

/// <summary><c>fork { ... }</c>: independent statements run together; their names are visible after the block (the join).</summary>
public sealed record ForkStatementSyntax(BlockSyntax Body, TextSpan Span) : StatementSyntax(Span);

/// <summary><c>refine x = initial by step(x) with rounds &lt;= 3, until = valid(x)</c>.</summary>
public sealed record RefineStatementSyntax(
    IdentifierSyntax Name,
    ExpressionSyntax Initial,
    ExpressionSyntax Step,
    ImmutableArray<LoopOptionSyntax> Options,
    TextSpan Span) : StatementSyntax(Span);

/// <summary><c>return expression</c>.</summary>
public sealed record ReturnStatementSyntax(ExpressionSyntax Value, TextSpan Span) : StatementSyntax(Span);
