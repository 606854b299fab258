namespace Tts.Runtime.Models.Tabular;

/// <summary>Greedy longest-match tokenization over a vocabulary, never producing the EOS token.</summary>
internal sealed class GreedyTokenizer
{
    private readonly Dictionary<string, int> _idByToken;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idBySpan;
    private readonly int[] _lengthsDescending;
    private readonly string _sourceName;

    public GreedyTokenizer(Vocabulary vocabulary, string sourceName)
    {
        _sourceName = sourceName;
        _idByToken = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (id != vocabulary.EosId && vocabulary.Tokens[id].Length > 0)
            {
                _idByToken.TryAdd(vocabulary.Tokens[id], id);
            }
        }

        _idBySpan = _idByToken.GetAlternateLookup<ReadOnlySpan<char>>();
        _lengthsDescending = _idByToken.Keys.Select(token => token.Length).Distinct().OrderDescending().ToArray();
    }

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var position = 0;
        while (position < text.Length)
        {
            var matched = false;
            foreach (var length in _lengthsDescending)
            {
                if (length <= text.Length - position
                    && _idBySpan.TryGetValue(text.AsSpan(position, length), out var id))
                {
                    ids.Add(id);
                    position += length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                throw new ModelException(
                    $"{_sourceName}: cannot tokenize the prompt: no vocabulary token matches at position {position} "
                    + $"(character {TabularText.Quote(text[position].ToString())}).");
            }
        }

        return ids.ToArray();
    }
}
