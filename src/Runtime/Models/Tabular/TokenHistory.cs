namespace Tts.Runtime.Models.Tabular;

/// <summary>
/// An immutable token sequence as a parent-linked list, so that forked and resampled rows share
/// their common prefix (the tabular analogue of a shared KV-cache prefix) and a reorder copies
/// only references.
/// </summary>
internal sealed class TokenHistory
{
    private TokenHistory(int token, TokenHistory? parent)
    {
        Token = token;
        Parent = parent;
        Length = parent is null ? 0 : parent.Length + 1;
    }

    /// <summary>
    /// A new empty history. Each decode state makes its own root: the cached rows belong to one model, so a
    /// shared static root would hand one model's probabilities to another.
    /// </summary>
    public static TokenHistory CreateRoot() => new(-1, null);

    /// <summary>The last token; meaningless for a root.</summary>
    public int Token { get; }

    public TokenHistory? Parent { get; }

    public int Length { get; }

    /// <summary>
    /// The next-token log-probability row of this context (before any forced EOS), resolved once
    /// and shared by every row that reaches this node.
    /// </summary>
    public double[]? CachedLogRow { get; set; }

    public TokenHistory Append(int token) => new(token, this);

    /// <summary>The last <paramref name="count"/> tokens (fewer if the history is shorter), oldest first.</summary>
    public int[] LastTokens(int count)
    {
        var result = new int[Math.Min(count, Length)];
        var node = this;
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = node.Token;
            node = node.Parent!;
        }

        return result;
    }
}
