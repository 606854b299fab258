using System.Collections.Immutable;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>A reward, verifier or extractor a strategy calls.</summary>
public sealed record IrFunctionUse(FunctionKind Kind, string Name, TtsType ResultType);

/// <summary>
/// What a strategy needs before it runs, read from its IR: every model and function it uses, through every region
/// (loop bodies, repeat members, refine rounds) and every strategy it calls that was not inlined; and where its
/// population sizes come from (the constant and parameter counts of its spawns), so runs can be batched by particles.
/// Both back ends hand this to the runtime: the executor's host (src/Execution) and the emitted C#.
/// </summary>
public sealed record IrRequirements(
    ImmutableArray<string> Models,
    ImmutableArray<IrFunctionUse> Functions,
    long ParticleConstant,
    ImmutableArray<string> ParticleParameters)
{
    public static IrRequirements Of(IrFunction function, IrModule module)
    {
        var instructions = Reachable(function, module).SelectMany(f => IrTree.All(f.Instructions)).ToList();
        var models = instructions.SelectMany(ModelsUsedBy).Distinct(StringComparer.Ordinal)
            .OrderBy(name => module.Models.IndexOf(name))
            .ToImmutableArray();
        var functions = instructions.OfType<IrCallFunction>().Select(call => new IrFunctionUse(call.Kind, call.Name, call.ResultType))
            .Concat(instructions.OfType<IrAdaptiveVote>().Where(v => v.Extractor is not null).Select(v => new IrFunctionUse(FunctionKind.Extractor, v.Extractor!, TtsType.Text)))
            .GroupBy(use => use.Name, StringComparer.Ordinal)
            .Select(uses => uses.First())
            .ToImmutableArray();

        var definitions = new Dictionary<int, IrInstruction>();
        foreach (var instruction in instructions.Where(i => i.Result is not null))
        {
            definitions[instruction.Result!.Id] = instruction;
        }

        long constant = 1;
        var parameters = new List<string>();
        foreach (var spawn in instructions.OfType<IrSpawn>())
        {
            definitions.TryGetValue(spawn.Count.Id, out var count);
            switch (count)
            {
                case IrConstant { Value: long n }:
                    constant = Math.Max(constant, n);
                    break;
                case IrParameter parameter when function.Parameters.Any(p => p.Name == parameter.Name):
                    parameters.Add(parameter.Name);
                    break;
            }
        }

        return new IrRequirements(models, functions, constant, parameters.Distinct(StringComparer.Ordinal).ToImmutableArray());
    }

    private static IEnumerable<string> ModelsUsedBy(IrInstruction instruction) => instruction switch
    {
        IrPrefill prefill => new[] { prefill.Model },
        IrDecode decode => new[] { decode.Model },
        IrFusedDecode fused => new[] { fused.Model },
        IrExtend extend => new[] { extend.Model },
        IrReextend reextend => new[] { reextend.Model },
        IrStepLogProb stepLogProb => new[] { stepLogProb.Model },
        IrSpeculative speculative => new[] { speculative.Target, speculative.Draft },
        IrLogProb logProb => new[] { logProb.Model },
        IrAdaptiveVote vote => new[] { vote.Model },
        _ => Array.Empty<string>(),
    };

    /// <summary>The function and every function it calls, transitively (each once).</summary>
    internal static IEnumerable<IrFunction> Reachable(IrFunction function, IrModule module)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { function.Name };
        var pending = new Stack<IrFunction>();
        pending.Push(function);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            foreach (var call in IrTree.All(current.Instructions).OfType<IrCallStrategy>())
            {
                if (seen.Add(call.Callee) && module.Find(call.Callee) is { } callee)
                {
                    pending.Push(callee);
                }
            }
        }
    }
}
