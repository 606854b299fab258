using System.Collections.Immutable;
using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>
/// Hoists the prompt prefill out of the particle dimension: as lowered, each particle of a population prefills its
/// own copy of the prompt (N forward passes over the prompt per run); every particle of a run continues the same
/// prompt, so one prefill per run shared by its particles computes the same states. Outputs are unchanged bit for
/// bit on tabular models; on a transformer the shared prefill is the same arithmetic on a smaller batch.
/// </summary>
public sealed class HoistSharedPrefill : IIrPass
{
    public string Name => "hoist-shared-prefill";

    public IrFunction Run(IrFunction function, IrModule module) => function with { Instructions = Share(function.Instructions) };

    private static ImmutableArray<IrInstruction> Share(ImmutableArray<IrInstruction> body) =>
        body.Select(instruction => (instruction is IrPrefill prefill ? prefill with { Shared = true } : instruction)
                .MapRegions(region => region with { Body = Share(region.Body) }))
            .ToImmutableArray();
}
