using System.Collections.Immutable;

namespace Tts.Compiler.IR;

/// <summary>
/// A nested body: the loop body of smc and search (run once per step), a repeat member, a refine round. Its
/// parameters are defined by the instruction that owns it (the population at the start of a step, the current
/// value of a refine); its instructions may read any value defined before the owner; <see cref="Yield"/> is what
/// one execution produces.
/// </summary>
public sealed record IrRegion(ImmutableArray<IrValue> Parameters, ImmutableArray<IrInstruction> Body, IrValue Yield)
{
    public IrRegion MapOperands(Func<IrValue, IrValue> map) =>
        new(Parameters, Body.Select(i => IrTree.MapDeep(i, map)).ToImmutableArray(), map(Yield));
}

/// <summary>Walks instructions through their regions.</summary>
public static class IrTree
{
    /// <summary>Every instruction, regions included, in order (an owner before its body).</summary>
    public static IEnumerable<IrInstruction> All(IEnumerable<IrInstruction> instructions)
    {
        foreach (var instruction in instructions)
        {
            yield return instruction;
            foreach (var region in instruction.Regions)
            {
                foreach (var nested in All(region.Body))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>Every value an instruction reads, the free values of its regions included.</summary>
    public static IEnumerable<IrValue> DeepOperands(IrInstruction instruction) =>
        instruction.Operands.Concat(instruction.Regions.SelectMany(r => r.Body.SelectMany(DeepOperands).Append(r.Yield)));

    /// <summary>The effects of an instruction and of everything nested in it.</summary>
    public static IrEffects DeepEffects(IrInstruction instruction) =>
        instruction.Regions.SelectMany(r => All(r.Body)).Aggregate(instruction.Effects, (effects, nested) => effects | nested.Effects);

    /// <summary>Maps operands of the instruction and of everything nested in it.</summary>
    public static IrInstruction MapDeep(IrInstruction instruction, Func<IrValue, IrValue> map) =>
        instruction.MapOperands(map).MapRegions(region => region.MapOperands(map));
}
