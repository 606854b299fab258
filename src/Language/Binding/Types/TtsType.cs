namespace Tts.Language.Binding.Types;

public enum TypeKind
{
    Error,
    Text,
    Int,
    Real,
    Bool,
    Population,
    List,
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

    private TtsType(TypeKind kind, TtsType? element)
    {
        Kind = kind;
        Element = element;
    }

    public TypeKind Kind { get; }

    /// <summary>The element type of a list.</summary>
    public TtsType? Element { get; }

    public bool IsError => Kind == TypeKind.Error;

    public bool IsNumeric => Kind is TypeKind.Int or TypeKind.Real;

    public bool IsScalar => Kind is TypeKind.Text or TypeKind.Int or TypeKind.Real or TypeKind.Bool;

    public static TtsType ListOf(TtsType element) => new(TypeKind.List, element);

    /// <summary>The scalar types a program can name; populations and lists are never written as types in v0.</summary>
    public static TtsType? FromName(string name) => name switch
    {
        "text" => Text,
        "int" => Int,
        "real" => Real,
        "bool" => Bool,
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
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
