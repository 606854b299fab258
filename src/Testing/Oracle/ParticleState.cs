namespace Tts.Testing.Oracle;

/// <summary>
/// One particle during enumeration: every token so far (prompt included), how many were generated (EOS counted, though
/// it is not in the context), its text, and whether it ended; <see cref="PromptLength"/> tokens of the context are the prompt.
/// </summary>
public sealed record ParticleState(int[] Context, int Generated, string Text, bool Ended)
{
    public int PromptLength { get; init; } = Context.Length;

    /// <summary>Whether the particle ended with EOS (generated one token more than its context holds).</summary>
    public bool EndedWithEos => Ended && Context.Length - PromptLength < Generated;

    public ParticleState Append(int token, string tokenText) =>
        this with { Context = [.. Context, token], Generated = Generated + 1, Text = Text + tokenText, Ended = false };
}
