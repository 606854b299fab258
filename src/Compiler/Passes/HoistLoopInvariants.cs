using System.Collections.Immutable;
using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>
/// Moves pure instructions that read nothing defined inside a region (constants, option lists, arithmetic on
/// parameters) out of it, before the instruction that owns it: computed once instead of once per step, and the loop
/// body shows only the work of a step. Innermost regions first, so an invariant climbs as far as it can.
/// </summary>
public sealed class HoistLoopInvariants : IIrPass
{
    public string Name => "hoist-loop-invariants";

    public IrFunction Run(IrFunction function, IrModule module) => function with { Instructions = Hoist(function.Instructions) };

    private static ImmutableArray<IrInstruction> Hoist(ImmutableArray<IrInstruction> body)
    {
        var output = new List<IrInstruction>();
        foreach (var instruction in body)
        {
            var hoisted = new List<IrInstruction>();
            var owner = instruction.MapRegions(region =>
            {
                var inside = new HashSet<int>(region.Parameters.Select(p => p.Id));
                var kept = new List<IrInstruction>();
                foreach (var nested in Hoist(region.Body))
                {
                    if (nested.Result is { Type.Shape: IrShape.Single } && nested.Regions.IsEmpty && nested.Effects == IrEffects.None && nested is not IrBudget
                        && !IrTree.DeepOperands(nested).Any(o => inside.Contains(o.Id)))
                    {
                        hoisted.Add(nested);
                        continue;
                    }

                    kept.Add(nested);
                    foreach (var defined in IrTree.All(new[] { nested }).SelectMany(i => i.Regions.SelectMany(r => r.Parameters).Append(i.Result)).OfType<IrValue>())
                    {
                        inside.Add(defined.Id);
                    }
                }

                return region with { Body = kept.ToImmutableArray() };
            });
            output.AddRange(hoisted);
            output.Add(owner);
        }

        return output.ToImmutableArray();
    }
}
