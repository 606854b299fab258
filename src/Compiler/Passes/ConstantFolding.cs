using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Language.Binding;

namespace Tts.Compiler.Passes;

/// <summary>Replaces pure single-value instructions whose operands are all constants by their value.</summary>
public sealed class ConstantFolding : IIrPass
{
    public string Name => "constant-folding";

    public IrFunction Run(IrFunction function)
    {
        var constants = new Dictionary<int, object>();
        var output = new List<IrInstruction>(function.Instructions.Length);
        foreach (var instruction in function.Instructions)
        {
            var folded = Fold(instruction, constants);
            if (folded is IrConstant { Result: { } result } constant)
            {
                constants[result.Id] = constant.Value;
            }

            output.Add(folded);
        }

        return function with { Instructions = output.ToImmutableArray() };
    }

    private static IrInstruction Fold(IrInstruction instruction, IReadOnlyDictionary<int, object> constants)
    {
        if (instruction.Result is not { Type.Shape: IrShape.Single } result || instruction.Effects != IrEffects.None)
        {
            return instruction;
        }

        object? Value(IrValue v) => constants.TryGetValue(v.Id, out var c) ? c : null;
        try
        {
            object? value = instruction switch
            {
                IrUnary u when Value(u.Operand) is { } operand => Operators.Evaluate(u.Operator, operand),
                IrBinary b when Value(b.Left) is { } left && Value(b.Right) is { } right => Operators.Evaluate(b.Operator, left, right),
                IrCall c when c.Arguments.All(a => Value(a) is not null) => c.Function.Evaluate(c.Arguments.Select(a => Value(a)!).ToArray()),
                IrList l when l.Elements.All(e => Value(e) is not null) => l.Elements.Select(e => Value(e)!).ToArray(),
                _ => null,
            };
            return value is null ? instruction : new IrConstant(result, value);
        }
        catch (ArithmeticException)
        {
            // Leave it to run time, where the error is reported with the run's context.
            return instruction;
        }
    }
}
