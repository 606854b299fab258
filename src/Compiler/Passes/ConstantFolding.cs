using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Compiler.Passes;

/// <summary>Replaces pure single-value instructions whose operands are all constants by their value, regions included.</summary>
public sealed class ConstantFolding : IIrPass
{
    public string Name => "constant-folding";

    public IrFunction Run(IrFunction function, IrModule module) => function with { Instructions = FoldBody(function.Instructions, new Dictionary<int, object>()) };

    private static ImmutableArray<IrInstruction> FoldBody(IEnumerable<IrInstruction> body, Dictionary<int, object> constants)
    {
        var output = new List<IrInstruction>();
        foreach (var instruction in body)
        {
            // A region sees the constants defined before its owner; its own stay inside.
            var folded = Fold(instruction.MapRegions(r => r with { Body = FoldBody(r.Body, new Dictionary<int, object>(constants)) }), constants);
            if (folded is IrConstant { Result: { } result } constant)
            {
                constants[result.Id] = constant.Value;
            }

            output.Add(folded);
        }

        return output.ToImmutableArray();
    }

    private static IrInstruction Fold(IrInstruction instruction, IReadOnlyDictionary<int, object> constants)
    {
        if (instruction.Result is not { Type.Shape: IrShape.Single } result || instruction.Effects != IrEffects.None || !instruction.Regions.IsEmpty)
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
        catch (Exception e) when (e is ArithmeticException or EvaluationException)
        {
            // An overflow or a modulo by zero (a constant argument inlined into a callee): leave it to run time, where the
            // error is reported with the run's context.
            return instruction;
        }
    }
}
