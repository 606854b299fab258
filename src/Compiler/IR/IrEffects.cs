namespace Tts.Compiler.IR;

/// <summary>What an instruction does besides computing its result; passes may only drop or move pure ones.</summary>
[Flags]
public enum IrEffects
{
    None = 0,

    /// <summary>Runs the model (costs tokens and calls).</summary>
    ModelCall = 1,

    /// <summary>Draws from the run's counter-based random streams.</summary>
    Random = 2,

    /// <summary>Calls a reward, verifier or extractor bound at run time (costs reward calls).</summary>
    FunctionCall = 4,
}
