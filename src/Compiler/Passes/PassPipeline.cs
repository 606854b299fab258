using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>The optimization pipeline is data: an ordered list of passes, verified after each one.</summary>
public sealed class PassPipeline
{
    public PassPipeline(IReadOnlyList<IIrPass> passes)
    {
        Passes = passes;
    }

    public IReadOnlyList<IIrPass> Passes { get; }

    public static PassPipeline For(OptimizationLevel level) => level switch
    {
        OptimizationLevel.O0 => new PassPipeline(Array.Empty<IIrPass>()),
        _ => new PassPipeline(new IIrPass[] { new ConstantFolding(), new DeadCodeElimination() }),
    };

    public IrFunction Run(IrFunction function)
    {
        foreach (var pass in Passes)
        {
            function = pass.Run(function);
            IrVerifier.Verify(function, pass.Name);
        }

        return function;
    }
}
