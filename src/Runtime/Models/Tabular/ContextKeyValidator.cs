namespace Tts.Runtime.Models.Tabular;

/// <summary>
/// Decides whether a <c>probs</c> key is a context the model can look up: at most
/// <c>order</c> non-EOS vocabulary tokens joined by single spaces. Tokens may themselves contain
/// spaces, so the key is not split on spaces; a small dynamic program over the key's characters
/// finds the fewest tokens that spell it.
/// </summary>
internal sealed class ContextKeyValidator
{
    private readonly string[] _tokens;
    private readonly int _order;

    public ContextKeyValidator(Vocabulary vocabulary, int order)
    {
        _tokens = vocabulary.Tokens.Where((_, id) => id != vocabulary.EosId).ToArray();
        _order = order;
    }

    public bool IsValid(string key) => key.Length == 0 || FewestTokens(key) <= _order;

    /// <summary>The fewest tokens that spell <paramref name="key"/> joined by single spaces, or int.MaxValue.</summary>
    private int FewestTokens(string key)
    {
        // tokensBefore[i]: fewest tokens spelling key[..i] followed by a separating space, so a token may start at i.
        var tokensBefore = new int[key.Length + 1];
        Array.Fill(tokensBefore, int.MaxValue);
        tokensBefore[0] = 0;
        var fewest = int.MaxValue;
        for (var start = 0; start < key.Length; start++)
        {
            if (tokensBefore[start] == int.MaxValue)
            {
                continue;
            }

            var count = tokensBefore[start] + 1;
            foreach (var token in _tokens)
            {
                if (!key.AsSpan(start).StartsWith(token, StringComparison.Ordinal))
                {
                    continue;
                }

                var end = start + token.Length;
                if (end == key.Length)
                {
                    fewest = Math.Min(fewest, count);
                }
                else if (key[end] == ' ' && end + 1 < key.Length)
                {
                    tokensBefore[end + 1] = Math.Min(tokensBefore[end + 1], count);
                }
            }
        }

        return fewest;
    }
}
