namespace Tts.Compiler.IR;

/// <summary>
/// Checks IR invariants; run after lowering and after every pass, so a broken pass is caught at its own door.
/// Violations are compiler bugs, not user errors: they throw.
/// </summary>
public static class IrVerifier
{
    public static void Verify(IrFunction function, string stage)
    {
        var streams = new HashSet<int>();
        var returns = VerifyBody(function, stage, function.Instructions, new Dictionary<int, IrValue>(), streams, topLevel: true);
        if (returns != 1)
        {
            Fail(function, stage, null, "the function must end with exactly one return");
        }
    }

    /// <summary>Checks one body; values defined in it are visible after their definition and inside nested regions only.</summary>
    private static int VerifyBody(
        IrFunction function, string stage, IEnumerable<IrInstruction> body, Dictionary<int, IrValue> defined, HashSet<int> streams, bool topLevel)
    {
        var returns = 0;
        foreach (var instruction in body)
        {
            foreach (var operand in instruction.Operands)
            {
                RequireDefined(function, stage, instruction, defined, operand);
            }

            if (returns > 0)
            {
                Fail(function, stage, instruction, "an instruction follows the return");
            }

            foreach (var region in instruction.Regions)
            {
                var inner = new Dictionary<int, IrValue>(defined);
                foreach (var parameter in region.Parameters)
                {
                    Define(function, stage, instruction, inner, parameter);
                }

                // A sub-batch's streams are keyed under the instruction's own: a namespace of their own.
                VerifyBody(function, stage, region.Body, inner, instruction is ISubBatchInstruction ? new HashSet<int>() : streams, topLevel: false);
                RequireDefined(function, stage, instruction, inner, region.Yield);
            }

            if (instruction.Result is { } result)
            {
                Define(function, stage, instruction, defined, result);
            }

            if (instruction is IRandomInstruction random)
            {
                RequireStream(function, stage, instruction, streams, random.Stream);
            }

            switch (instruction)
            {
                case IrReturn when !topLevel:
                    Fail(function, stage, instruction, "a return inside a region");
                    break;
                case IrReturn:
                    returns++;
                    break;
                case IrReextend reextend:
                    RequireShape(function, stage, instruction, reextend.Population, IrShape.Population);
                    if ((reextend.Condition is null) == (reextend.Acceptance is null) || (reextend.Exact && reextend.Acceptance is null))
                    {
                        Fail(function, stage, instruction, "reextend needs exactly one of a condition and an acceptance probability (exact only with an acceptance)");
                    }

                    break;
                case IrStepLogProb stepLogProb:
                    RequireShape(function, stage, instruction, stepLogProb.Population, IrShape.Population);
                    break;
                case IrDecode or IrExtend or IrPrefill or IrResample or IrReweight or IrTwist or IrScore or IrSmc or IrParticleGibbs or IrSearch or IrRank:
                    RequireShape(function, stage, instruction, instruction.Operands.First(), IrShape.Population);
                    break;
                case IrFusedDecode fused:
                    if (fused.Populations.Length < 2 || fused.Streams.Length != fused.Populations.Length)
                    {
                        Fail(function, stage, instruction, "a fused decode needs at least two populations and one stream per population");
                    }

                    foreach (var population in fused.Populations)
                    {
                        RequireShape(function, stage, instruction, population, IrShape.Population);
                    }

                    if (fused.Populations.Distinct().Count() != fused.Populations.Length)
                    {
                        Fail(function, stage, instruction, "a fused decode names one population twice");
                    }

                    foreach (var stream in fused.Streams)
                    {
                        RequireStream(function, stage, instruction, streams, stream);
                    }

                    RequireShape(function, stage, instruction, fused.Result!, IrShape.PopulationTuple);
                    break;
                case IrProject project:
                    RequireShape(function, stage, instruction, project.Tuple, IrShape.PopulationTuple);
                    RequireShape(function, stage, instruction, project.Result!, IrShape.Population);
                    if (project.Index < 0 || project.Index >= TupleArity(function, project.Tuple))
                    {
                        Fail(function, stage, instruction, $"{project.Tuple} has no element {project.Index}");
                    }

                    break;
                case IrLogProb logProb:
                    if (logProb.Particles is { } particles)
                    {
                        RequireShape(function, stage, instruction, particles, IrShape.Population);
                    }

                    if (logProb.Text.Type.Element.Kind != Tts.Semantics.TypeKind.Text || logProb.After.Type.Element.Kind != Tts.Semantics.TypeKind.Text)
                    {
                        Fail(function, stage, instruction, "logp scores a text after a text");
                    }

                    break;
                case IrSelectSample sample:
                    RequireShape(function, stage, instruction, sample.Population, IrShape.Population);
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
                    if (first.Condition.Type.Element.Kind != Tts.Semantics.TypeKind.Bool)
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

        return returns;
    }

    /// <summary>How many populations the fused decode defining <paramref name="tuple"/> returns (0 if none defines it).</summary>
    private static int TupleArity(IrFunction function, IrValue tuple) =>
        IrTree.All(function.Instructions).OfType<IrFusedDecode>().Where(f => f.Result!.Id == tuple.Id).Select(f => f.Populations.Length).FirstOrDefault();

    private static void Define(IrFunction function, string stage, IrInstruction instruction, Dictionary<int, IrValue> defined, IrValue value)
    {
        if (defined.ContainsKey(value.Id))
        {
            Fail(function, stage, instruction, $"{value} is defined twice");
        }

        defined.Add(value.Id, value);
    }

    private static void RequireDefined(IrFunction function, string stage, IrInstruction instruction, Dictionary<int, IrValue> defined, IrValue operand)
    {
        if (!defined.TryGetValue(operand.Id, out var definition) || !definition.Equals(operand))
        {
            Fail(function, stage, instruction, $"operand {operand} is used before it is defined, out of its scope, or with another type");
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
