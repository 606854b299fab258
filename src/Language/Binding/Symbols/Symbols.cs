using System.Collections.Immutable;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding.Symbols;

/// <summary>A declared name. Symbols compare by reference: two declarations are two symbols.</summary>
public abstract class Symbol
{
    protected Symbol(string name, TextSpan declarationSpan)
    {
        Name = name;
        DeclarationSpan = declarationSpan;
    }

    public string Name { get; }

    /// <summary>The span of the declaring name, for "already declared at line N" messages.</summary>
    public TextSpan DeclarationSpan { get; }

    public override string ToString() => Name;
}

/// <summary><c>model NAME: lm</c> — a language model bound by name at run time.</summary>
public sealed class ModelSymbol : Symbol
{
    public ModelSymbol(string name, TextSpan declarationSpan)
        : base(name, declarationSpan)
    {
    }
}

public sealed class ParameterSymbol : Symbol
{
    public ParameterSymbol(string name, TtsType type, int ordinal, object? defaultValue, TextSpan declarationSpan)
        : base(name, declarationSpan)
    {
        Type = type;
        Ordinal = ordinal;
        DefaultValue = defaultValue;
    }

    public TtsType Type { get; }

    public int Ordinal { get; }

    /// <summary>The constant default (long, double, string, bool), or null when the parameter is required.</summary>
    public object? DefaultValue { get; }

    public bool IsRequired => DefaultValue is null;
}

/// <summary>A name bound in a strategy body by <c>population</c> or <c>let</c>.</summary>
public sealed class LocalSymbol : Symbol
{
    public LocalSymbol(string name, TtsType type, LocalSymbol? population, TextSpan declarationSpan)
        : base(name, declarationSpan)
    {
        Type = type;
        Population = population;
    }

    public TtsType Type { get; }

    /// <summary>For a value computed per particle, the population it belongs to; null for single values.</summary>
    public LocalSymbol? Population { get; }

    public bool IsPopulation => Type.Kind == TypeKind.Population;
}

public sealed class StrategySymbol : Symbol
{
    public StrategySymbol(string name, ImmutableArray<ParameterSymbol> parameters, TtsType returnType, TextSpan declarationSpan)
        : base(name, declarationSpan)
    {
        Parameters = parameters;
        ReturnType = returnType;
    }

    public ImmutableArray<ParameterSymbol> Parameters { get; }

    public TtsType ReturnType { get; }

    /// <summary>"name(question: text, n: int = 16) -> text", as <c>tts check</c> prints it.</summary>
    public string Signature =>
        $"{Name}({string.Join(", ", Parameters.Select(p => p.IsRequired ? $"{p.Name}: {p.Type}" : $"{p.Name}: {p.Type} = {Constants.Format(p.DefaultValue)}"))}) -> {ReturnType}";
}

/// <summary><c>reward prm</c>, <c>verifier valid</c>, <c>extractor final</c>: a function of a text bound at run time.</summary>
public sealed class FunctionSymbol : Symbol
{
    public FunctionSymbol(string name, Tts.Semantics.FunctionKind kind, TtsType resultType, TextSpan declarationSpan)
        : base(name, declarationSpan)
    {
        Kind = kind;
        ResultType = resultType;
    }

    public Tts.Semantics.FunctionKind Kind { get; }

    /// <summary>Score or Prob for a reward, bool for a verifier, text for an extractor.</summary>
    public TtsType ResultType { get; }

    public string KindName => Kind.ToString().ToLowerInvariant();
}
