namespace Tts.Compiler.Driver;

/// <summary>The stages <c>tts compile --emit</c> can dump.</summary>
public enum CompilerStage
{
    Ast,
    Bound,
    Ir,
    IrOpt,

    /// <summary>The optimized IR as C# (the emitter back end).</summary>
    CSharp,
}
