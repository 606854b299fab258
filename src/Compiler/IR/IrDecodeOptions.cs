namespace Tts.Compiler.IR;

/// <summary>The decoding options of a decode, extend or speculative instruction, each an operand.</summary>
public sealed record IrDecodeOptions(
    IrValue Temperature,
    IrValue TopK,
    IrValue TopP,
    IrValue MinP,
    IrValue MaxTokens,
    IrValue Stop,
    IrValue Forbid)
{
    public IEnumerable<IrValue> Values => new[] { Temperature, TopK, TopP, MinP, MaxTokens, Stop, Forbid };

    public IrDecodeOptions Map(Func<IrValue, IrValue> map) =>
        new(map(Temperature), map(TopK), map(TopP), map(MinP), map(MaxTokens), map(Stop), map(Forbid));

    public override string ToString() =>
        $"temperature={Temperature} top_k={TopK} top_p={TopP} min_p={MinP} max_tokens={MaxTokens} stop={Stop} forbid={Forbid}";
}
