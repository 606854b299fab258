using System.Collections.Immutable;

namespace Tts.Compiler.IR;

/// <summary>
/// Sibling decodes fused into one batched decode (<see cref="Passes.FuseSiblingDecodes"/>): the rows of every
/// population in <see cref="Populations"/> (same model, same options) decode together, one model step per token for
/// all of them, each row keyed by its own decode's stream (<c>Streams[i]</c> for <c>Populations[i]</c>) exactly as
/// that decode keys it alone. The result is a tuple of the decoded populations, in operand order, read by
/// <see cref="IrProject"/>: what each sibling <see cref="IrDecode"/> would have returned.
/// </summary>
public sealed record IrFusedDecode(IrValue Result, ImmutableArray<IrValue> Populations, string Model, IrDecodeOptions Options, ImmutableArray<int> Streams)
    : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random;

    public override IEnumerable<IrValue> Operands => Populations.Concat(Options.Values);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Populations = Populations.Select(map).ToImmutableArray(), Options = Options.Map(map) };

    /// <summary>A copy whose streams are mapped (how the inliner nests a callee's streams under the call's).</summary>
    public IrFusedDecode MapStreams(Func<int, int> map) => this with { Streams = Streams.Select(map).ToImmutableArray() };
}

/// <summary>Element <c>Index</c> of a tuple of populations (the result of an <see cref="IrFusedDecode"/>).</summary>
public sealed record IrProject(IrValue Result, IrValue Tuple, int Index) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Tuple };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Tuple = map(Tuple) };
}
