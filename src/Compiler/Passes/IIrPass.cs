using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>One IR-to-IR transformation. Passes never change what a strategy returns for a given seed.</summary>
public interface IIrPass
{
    string Name { get; }

    IrFunction Run(IrFunction function);
}
