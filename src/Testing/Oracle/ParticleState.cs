namespace Tts.Testing.Oracle;

/// <summary>One particle during enumeration: every token so far (prompt included), how many were generated, its text, and whether it ended with EOS.</summary>
public sealed record ParticleState(int[] Context, int Generated, string Text, bool Ended)
{
    public ParticleState Append(int token, string tokenText) =>
        new([.. Context, token], Generated + 1, Text + tokenText, false);
}
