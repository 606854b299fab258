using System.Collections.Immutable;
using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>Removes pure instructions whose results nobody uses. Effectful ones (model calls, randomness) stay.</summary>
public sealed class DeadCodeElimination : IIrPass
{
    public string Name => "dead-code-elimination";

    public IrFunction Run(IrFunction function)
    {
        var live = new HashSet<int>();
        var kept = new List<IrInstruction>();
        for (var i = function.Instructions.Length - 1; i >= 0; i--)
        {
            var instruction = function.Instructions[i];
            var needed = instruction.Result is null || instruction.Effects != IrEffects.None || live.Contains(instruction.Result.Id)
                         || instruction is IrParameter;
            if (!needed)
            {
                continue;
            }

            kept.Add(instruction);
            foreach (var operand in instruction.Operands)
            {
                live.Add(operand.Id);
            }
        }

        kept.Reverse();
        return function with { Instructions = kept.ToImmutableArray() };
    }
}
