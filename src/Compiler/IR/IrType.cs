
using Tts.Semantics;

namespace Tts.Compiler.IR;

public enum IrShape
{
    /// <summary>One value per run.</summary>
    Single,

    /// <summary>One value per particle of a population (the population is named by <see cref="IrType.PopulationId"/>).</summary>
    PerParticle,

    /// <summary>A population of particles.</summary>
    Population,

    /// <summary>A tuple of populations (what a fused decode returns; read by projections).</summary>
    PopulationTuple,
}

/// <summary>The type of an IR value: a shape and, unless a population, a scalar element type.</summary>
public sealed record IrType(IrShape Shape, TtsType Element, int? PopulationId)
{
    public static IrType PopulationType { get; } = new(IrShape.Population, TtsType.Text, null);

    public static IrType PopulationTupleType { get; } = new(IrShape.PopulationTuple, TtsType.Text, null);

    public static IrType Single(TtsType element) => new(IrShape.Single, element, null);

    public static IrType PerParticle(TtsType element, IrValue population) => new(IrShape.PerParticle, element, population.Id);

    public override string ToString() => Shape switch
    {
        IrShape.Population => "population",
        IrShape.PopulationTuple => "tuple of population",
        IrShape.PerParticle => $"each {Element} of %{PopulationId}",
        _ => Element.ToString(),
    };
}
