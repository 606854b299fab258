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

    /// <summary>
    /// -O1: inline calls first (so the other passes see whole programs), fold and sweep, hoist loop invariants out of
    /// step bodies, share prompt prefills, then fuse sibling decodes into one batched decode (and sweep the option values the fused
    /// siblings no longer read).
    /// </summary>
    public static PassPipeline For(OptimizationLevel level) => level switch
    {
        OptimizationLevel.O0 => new PassPipeline(Array.Empty<IIrPass>()),
        _ => new PassPipeline(new IIrPass[]
        {
            new Inlining(),
            new ConstantFolding(),
            new DeadCodeElimination(),
            new HoistLoopInvariants(),
            new HoistSharedPrefill(),
            new FuseSiblingDecodes(),
            new DeadCodeElimination(),
        }),
    };

    public IrFunction Run(IrFunction function, IrModule module)
    {
        foreach (var pass in Passes)
        {
            function = pass.Run(function, module);
            IrVerifier.Verify(function, pass.Name);
        }

        return function;
    }
}
