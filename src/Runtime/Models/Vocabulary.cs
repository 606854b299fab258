namespace Tts.Runtime.Models;

/// <summary>The token strings of a model, indexed by token id, and which id ends a text.</summary>
public sealed class Vocabulary
{
    public Vocabulary(IReadOnlyList<string> tokens, int eosId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            throw new ArgumentException("A vocabulary needs at least one token.", nameof(tokens));
        }

        if (eosId < 0 || eosId >= tokens.Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(eosId), eosId, $"The EOS id must index the {tokens.Count} tokens.");
        }

        // Copy so that later changes to the caller's list cannot change the model.
        var copy = new string[tokens.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = tokens[i] ?? throw new ArgumentException($"Token {i} is null.", nameof(tokens));
        }

        Tokens = copy;
        EosId = eosId;
    }

    public IReadOnlyList<string> Tokens { get; }

    public int Count => Tokens.Count;

    public int EosId { get; }

    /// <summary>
    /// <paramref name="text"/> followed by token <paramref name="id"/>'s text. Token texts may carry escaped bytes of a
    /// character split across tokens (<see cref="TokenText"/>); the seam is re-decoded. <paramref name="unchangedLength"/>
    /// is how much of <paramref name="text"/> the result keeps unchanged.
    /// </summary>
    public string AppendToken(string text, int id, out int unchangedLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (id < 0 || id >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id outside the vocabulary of {Count}.");
        }

        return TokenText.Append(text, Tokens[id], out unchangedLength);
    }

    /// <summary>
    /// The text of a token sequence: its tokens concatenated, up to (not including) the first EOS.
    /// Stopping at EOS matters because rows that ended may carry filler tokens afterwards. Bytes of a character
    /// left incomplete at the end become U+FFFD.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = "";
        foreach (var id in ids)
        {
            if (id == EosId)
            {
                break;
            }

            if (id < 0 || id >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id outside the vocabulary of {Count}.");
            }

            text = TokenText.Append(text, Tokens[id], out _);
        }

        return TokenText.Complete(text);
    }
}
