using System.Collections.Immutable;
using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>
/// Removes pure instructions whose results nobody uses, inside regions too (a region's yield is used). Effectful ones
/// (model calls, randomness, reward calls, anything holding one in a region) and budgets stay.
/// </summary>
public sealed class DeadCodeElimination : IIrPass
{
    public string Name => "dead-code-elimination";

    public IrFunction Run(IrFunction function, IrModule module) => function with { Instructions = Sweep(function.Instructions, new HashSet<int>()) };

    private static ImmutableArray<IrInstruction> Sweep(ImmutableArray<IrInstruction> body, HashSet<int> live)
    {
        var kept = new List<IrInstruction>();
        for (var i = body.Length - 1; i >= 0; i--)
        {
            var instruction = body[i];
            var needed = instruction.Result is null || IrTree.DeepEffects(instruction) != IrEffects.None || live.Contains(instruction.Result.Id)
                         || instruction is IrParameter;
            if (!needed)
            {
                continue;
            }

            // Regions are swept with the yield live; whatever they read from outside becomes live here.
            instruction = instruction.MapRegions(region => region with { Body = Sweep(region.Body, new HashSet<int> { region.Yield.Id }) });
            kept.Add(instruction);
            foreach (var operand in IrTree.DeepOperands(instruction))
            {
                live.Add(operand.Id);
            }
        }

        kept.Reverse();
        return kept.ToImmutableArray();
    }
}
