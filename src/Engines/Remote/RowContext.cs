namespace Tts.Engines.Remote;

/// <summary>
/// One row's tokens so far (prompt and generated), immutable so resampled copies share it; with the ended flag and
/// the next-token law once fetched (kept until the row moves, so a held row costs no request).
/// </summary>
internal sealed record RowContext(int[] Tokens, bool Ended, double[]? Law)
{
    public static RowContext Of(int[] tokens) => new(tokens, false, null);

    public RowContext Append(int token) => new([.. Tokens, token], false, null);

    /// <summary>A key equal for equal token sequences: duplicate rows (after resampling) cost one request.</summary>
    public string Key => string.Join(',', Tokens);
}
