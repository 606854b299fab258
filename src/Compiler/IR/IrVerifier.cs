namespace Tts.Compiler.IR;

/// <summary>
/// Checks IR invariants; run after lowering and after every pass, so a broken pass is caught at its own door.
/// Violations are compiler bugs, not user errors: they throw.
/// </summary>
public static class IrVerifier
{
    public static void Verify(IrFunction function, string stage)
    {
        var defined = new Dictionary<int, IrValue>();
        var streams = new HashSet<int>();
        var returns = 0;
        foreach (var instruction in function.Instructions)
        {
            foreach (var operand in instruction.Operands)
            {
                if (!defined.TryGetValue(operand.Id, out var definition) || !definition.Equals(operand))
                {
                    Fail(function, stage, instruction, $"operand {operand} is used before it is defined (or with another type)");
                }
            }

            if (instruction.Result is { } result)
            {
                if (defined.ContainsKey(result.Id))
                {
                    Fail(function, stage, instruction, $"{result} is defined twice");
                }

                defined.Add(result.Id, result);
            }

            if (returns > 0)
            {
                Fail(function, stage, instruction, "an instruction follows the return");
            }

            switch (instruction)
            {
                case IrReturn:
                    returns++;
                    break;
                case IrDecode decode:
                    RequireShape(function, stage, instruction, decode.Population, IrShape.Population);
                    RequireStream(function, stage, instruction, streams, decode.Stream);
                    break;
                case IrPrefill prefill:
                    RequireShape(function, stage, instruction, prefill.Population, IrShape.Population);
                    break;
                case IrSelectSample sample:
                    RequireShape(function, stage, instruction, sample.Population, IrShape.Population);
                    RequireStream(function, stage, instruction, streams, sample.Stream);
                    break;
                case IrSelectBest best:
                    RequireKeyOf(function, stage, instruction, best.Population, best.Key);
                    if (!best.Key.Type.Element.IsNumeric && !best.Key.Type.Element.IsNumericKind)
                    {
                        Fail(function, stage, instruction, "the key of select_best is not numeric");
                    }

                    break;
                case IrReduceVote vote:
                    RequireKeyOf(function, stage, instruction, vote.Population, vote.Key);
                    if (vote.Weight is { } weight)
                    {
                        RequireKeyOf(function, stage, instruction, vote.Population, weight);
                    }

                    break;
                case IrSelectFirst first:
                    RequireKeyOf(function, stage, instruction, first.Population, first.Condition);
                    if (first.Condition.Type.Element.Kind != Tts.Language.Binding.Types.TypeKind.Bool)
                    {
                        Fail(function, stage, instruction, "the condition of select_first is not bool");
                    }

                    if (first.Otherwise is { } otherwise && otherwise.Type.Shape != IrShape.Single)
                    {
                        Fail(function, stage, instruction, "the fallback of select_first is not a single value");
                    }

                    break;
            }
        }

        if (returns != 1)
        {
            Fail(function, stage, null, "the function must end with exactly one return");
        }
    }

    private static void RequireStream(IrFunction function, string stage, IrInstruction instruction, HashSet<int> streams, int stream)
    {
        if (!streams.Add(stream))
        {
            Fail(function, stage, instruction, $"random stream {stream} is used twice: two instructions would draw the same numbers");
        }
    }

    private static void RequireKeyOf(IrFunction function, string stage, IrInstruction instruction, IrValue population, IrValue key)
    {
        RequireShape(function, stage, instruction, population, IrShape.Population);
        if (key.Type.Shape != IrShape.PerParticle || key.Type.PopulationId != population.Id)
        {
            Fail(function, stage, instruction, $"the key {key} is not a value per particle of {population}");
        }
    }

    private static void RequireShape(IrFunction function, string stage, IrInstruction instruction, IrValue value, IrShape shape)
    {
        if (value.Type.Shape != shape)
        {
            Fail(function, stage, instruction, $"{value} should be {shape} but is {value.Type}");
        }
    }

    private static void Fail(IrFunction function, string stage, IrInstruction? instruction, string problem) =>
        throw new InvalidOperationException(
            $"IR verification failed after {stage} in strategy '{function.Name}'" +
            (instruction is null ? "" : $" at `{IrPrinter.Print(instruction)}`") + $": {problem}");
}
