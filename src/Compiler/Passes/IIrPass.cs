using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>One IR-to-IR transformation. Passes never change what a strategy returns for a given seed.</summary>
public interface IIrPass
{
    string Name { get; }

    /// <summary>Transforms one function; <paramref name="module"/> holds the functions it may call (as lowered).</summary>
    IrFunction Run(IrFunction function, IrModule module);
}
