namespace Tts.Compiler.IR;

/// <summary>An SSA value: defined exactly once, by the instruction whose <c>Result</c> it is.</summary>
public sealed record IrValue(int Id, IrType Type)
{
    public override string ToString() => $"%{Id}";
}
