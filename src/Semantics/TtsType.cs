namespace Tts.Semantics;

public enum TypeKind
{
    Error,
    Text,
    Int,
    Real,
    Bool,
    Population,
    List,

    /// <summary>An importance weight in log space: may change the target law.</summary>
    LogWeight,

    /// <summary>A heuristic value for ranking, twisting and searching: never a weight without an explicit conversion.</summary>
    Score,

    /// <summary>A probability in [0, 1].</summary>
    Prob,
}

/// <summary>
/// A type of the language. Scalars (text, int, real, bool), populations of particles, and lists.
/// A value computed per particle of a population keeps its scalar type here; the binder tracks the
/// population it belongs to separately (see BoundExpression.Population).
/// </summary>
public sealed class TtsType : IEquatable<TtsType>
{
    public static readonly TtsType Error = new(TypeKind.Error, null);
    public static readonly TtsType Text = new(TypeKind.Text, null);
    public static readonly TtsType Int = new(TypeKind.Int, null);
    public static readonly TtsType Real = new(TypeKind.Real, null);
    public static readonly TtsType Bool = new(TypeKind.Bool, null);
    public static readonly TtsType Population = new(TypeKind.Population, null);
    public static readonly TtsType LogWeight = new(TypeKind.LogWeight, null);
    public static readonly TtsType Score = new(TypeKind.Score, null);
    public static readonly TtsType Prob = new(TypeKind.Prob, null);

    /// <summary>The type names a program can write, as the error for an unknown type lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "text", "int", "real", "bool", "population", "LogWeight", "Score", "Prob" };

    private TtsType(TypeKind kind, TtsType? element)
    {
        Kind = kind;
        Element = element;
    }

    public TypeKind Kind { get; }

    /// <summary>The element type of a list.</summary>
    public TtsType? Element { get; }

    public bool IsError => Kind == TypeKind.Error;

    /// <summary>int and real: plain numbers, which mix freely.</summary>
    public bool IsNumeric => Kind is TypeKind.Int or TypeKind.Real;

    /// <summary>LogWeight, Score and Prob: numbers that never mix with each other or with plain numbers silently.</summary>
    public bool IsNumericKind => Kind is TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob;

    public bool IsScalar => Kind is TypeKind.Text or TypeKind.Int or TypeKind.Real or TypeKind.Bool || IsNumericKind;

    public static TtsType ListOf(TtsType element) => new(TypeKind.List, element);

    /// <summary>The types a program can name; lists are never written as types.</summary>
    public static TtsType? FromName(string name) => name switch
    {
        "text" => Text,
        "int" => Int,
        "real" => Real,
        "bool" => Bool,
        "population" => Population,
        "LogWeight" => LogWeight,
        "Score" => Score,
        "Prob" => Prob,
        _ => null,
    };

    /// <summary>Implicit conversions: identity, int to real (exact for the magnitudes a program uses).</summary>
    public bool IsAssignableTo(TtsType target) =>
        IsError || target.IsError || Equals(target) || (Kind == TypeKind.Int && target.Kind == TypeKind.Real)
        || (Kind == TypeKind.List && target.Kind == TypeKind.List && Element!.IsAssignableTo(target.Element!));

    public bool Equals(TtsType? other) =>
        other is not null && Kind == other.Kind && Equals(Element, other.Element);

    public override bool Equals(object? obj) => obj is TtsType other && Equals(other);

    public override int GetHashCode() => ((int)Kind * 397) ^ (Element?.GetHashCode() ?? 0);

    public override string ToString() => Kind switch
    {
        TypeKind.Error => "?",
        TypeKind.List => $"list of {Element}",
        TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob => Kind.ToString(),
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
