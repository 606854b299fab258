namespace Tts.Compiler.Passes;

public enum OptimizationLevel
{
    /// <summary>No passes: the IR exactly as lowered (the reference for differential tests).</summary>
    O0,

    /// <summary>The default pipeline.</summary>
    O1,
}
