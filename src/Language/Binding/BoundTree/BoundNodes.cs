using System.Collections.Immutable;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;
using Tts.Language.Text;

namespace Tts.Language.Binding.BoundTree;

/// <summary>The checked program: symbols resolved, types known, defaults filled in.</summary>
public sealed record BoundProgram(ImmutableArray<ModelSymbol> Models, ImmutableArray<BoundStrategy> Strategies)
{
    public BoundStrategy? FindStrategy(string name) => Strategies.FirstOrDefault(s => s.Symbol.Name == name);
}

public sealed record BoundStrategy(StrategySymbol Symbol, ImmutableArray<BoundStatement> Body, GuaranteeInfo Guarantee);

public abstract record BoundStatement(TextSpan Span);

/// <summary>
/// <c>population x = sample model(prompt, ...)</c>: every option is an expression (defaults filled in),
/// so later stages never look at the syntax again.
/// </summary>
public sealed record BoundSampleStatement(
    LocalSymbol Population,
    ModelSymbol Model,
    BoundExpression Prompt,
    BoundDecodeOptions Options,
    TextSpan Span) : BoundStatement(Span);

public sealed record BoundDecodeOptions(
    BoundExpression Count,
    BoundExpression Temperature,
    BoundExpression TopK,
    BoundExpression TopP,
    BoundExpression MaxTokens,
    BoundExpression Stop);

public sealed record BoundLetStatement(LocalSymbol Local, BoundExpression Value, TextSpan Span) : BoundStatement(Span);

public sealed record BoundReturnStatement(BoundExpression Value, TextSpan Span) : BoundStatement(Span);

/// <summary>
/// A typed expression. <see cref="Population"/> is set when the value is computed once per particle of
/// that population (e.g. <c>len(xs)</c>); such values can only flow into selections over the same population.
/// </summary>
public abstract record BoundExpression(TtsType Type, LocalSymbol? Population, TextSpan Span)
{
    public bool IsPerParticle => Population is not null;
}

public sealed record BoundLiteral(object Value, TtsType Type, TextSpan Span) : BoundExpression(Type, null, Span);

public sealed record BoundParameterReference(ParameterSymbol Parameter, TextSpan Span) : BoundExpression(Parameter.Type, null, Span);

public sealed record BoundLocalReference(LocalSymbol Local, TextSpan Span) : BoundExpression(Local.Type, Local.Population, Span);

/// <summary>The text of each particle of a population: how a population enters a lifted built-in.</summary>
public sealed record BoundParticleText(LocalSymbol PopulationSymbol, TextSpan Span) : BoundExpression(TtsType.Text, PopulationSymbol, Span);

public sealed record BoundBuiltinCall(BuiltinFunction Function, ImmutableArray<BoundExpression> Arguments, LocalSymbol? Population, TextSpan Span)
    : BoundExpression(Function.ReturnType, Population, Span);

public sealed record BoundUnary(UnaryOperator Operator, BoundExpression Operand, TtsType Type, TextSpan Span)
    : BoundExpression(Type, Operand.Population, Span);

public sealed record BoundBinary(BoundExpression Left, BinaryOperator Operator, BoundExpression Right, TtsType Type, LocalSymbol? Population, TextSpan Span)
    : BoundExpression(Type, Population, Span);

public sealed record BoundList(ImmutableArray<BoundExpression> Elements, TtsType Type, TextSpan Span) : BoundExpression(Type, null, Span);

public enum SelectionKind
{
    /// <summary><c>sample(xs)</c>: one particle drawn in proportion to its weight (uniformly in v0).</summary>
    Sample,

    /// <summary><c>best(xs, by: key)</c>: the particle with the largest key; ties go to the lowest index.</summary>
    Best,

    /// <summary><c>vote(xs, key: k)</c>: the most frequent key value; ties go to the value seen first.</summary>
    Vote,
}

/// <summary>Reduces a population to one value: sample, best or vote.</summary>
public sealed record BoundSelection(SelectionKind Kind, LocalSymbol PopulationSymbol, BoundExpression? Key, TtsType Type, TextSpan Span)
    : BoundExpression(Type, null, Span);

/// <summary>An expression that failed to bind; already reported, so it silences follow-on errors.</summary>
public sealed record BoundErrorExpression(TextSpan Span) : BoundExpression(TtsType.Error, null, Span);
