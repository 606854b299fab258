namespace Tts.Runtime.Models.Tabular;

/// <summary>
/// An exact n-gram model read from a <c>tts-tabular-lm/1</c> JSON file (DESIGN §4.1): small,
/// fully known, and therefore the oracle for distribution tests. Besides the batched
/// <see cref="ILanguageModel"/> interface it exposes pure C# reference laws.
/// </summary>
public sealed class TabularModel : ILanguageModel
{
    private readonly IReadOnlyDictionary<string, double[]> _probabilityRows;
    private readonly Dictionary<string, double[]> _logRows;
    private readonly GreedyTokenizer _tokenizer;

    internal TabularModel(
        Vocabulary vocabulary, int order, int maxTokens, IReadOnlyDictionary<string, double[]> probabilityRows, string sourceName)
    {
        Vocabulary = vocabulary;
        Order = order;
        MaxTokens = maxTokens;
        SourceName = sourceName;
        _probabilityRows = probabilityRows;
        _logRows = probabilityRows.ToDictionary(row => row.Key, row => Array.ConvertAll(row.Value, Math.Log), StringComparer.Ordinal);
        _tokenizer = new GreedyTokenizer(vocabulary, sourceName);
        ForcedEosLogRow = new double[vocabulary.Count];
        Array.Fill(ForcedEosLogRow, double.NegativeInfinity);
        ForcedEosLogRow[vocabulary.EosId] = 0.0;
    }

    public Vocabulary Vocabulary { get; }

    /// <summary>How many preceding tokens the next-token law looks at.</summary>
    public int Order { get; }

    /// <summary>Generated tokens (prompt excluded) after which EOS is forced.</summary>
    public int MaxTokens { get; }

    /// <summary>The file path or name used in messages.</summary>
    public string SourceName { get; }

    /// <summary>EOS with probability 1: the law after <see cref="MaxTokens"/> and for rows that ended.</summary>
    internal double[] ForcedEosLogRow { get; }

    public static TabularModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ModelException($"{path}: cannot read the tabular model file: {exception.Message}", exception);
        }

        return Parse(json, path);
    }

    public static TabularModel Parse(string json, string sourceName) => TabularModelParser.Parse(json, sourceName);

    public int[] Encode(string text) => _tokenizer.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) =>
        new TabularDecodeState(this, prompts, promptOfRow);

    /// <summary>
    /// The reference next-token law: <paramref name="context"/> is every token so far (prompt
    /// included, no EOS) and <paramref name="generatedCount"/> how many of them were generated.
    /// </summary>
    public IReadOnlyList<double> NextTokenProbabilities(IReadOnlyList<int> context, int generatedCount)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(generatedCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(generatedCount, context.Count);
        foreach (var id in context)
        {
            ValidateContextToken(id, nameof(context));
        }

        if (generatedCount >= MaxTokens)
        {
            return Array.ConvertAll(ForcedEosLogRow, Math.Exp);
        }

        var start = Math.Max(0, context.Count - Order);
        var lastTokens = new int[context.Count - start];
        for (var i = 0; i < lastTokens.Length; i++)
        {
            lastTokens[i] = context[start + i];
        }

        return (double[])_probabilityRows[ResolveKey(lastTokens)].Clone();
    }

    /// <summary>
    /// The exact law of the generated text (prompt excluded) after <paramref name="prompt"/>, by
    /// enumerating every token sequence up to EOS and summing probabilities by text. Exponential
    /// in <see cref="MaxTokens"/>: meant for the tiny models tests use.
    /// </summary>
    public IReadOnlyDictionary<string, double> ExactTextLaw(string prompt)
    {
        var context = new List<int>(Encode(prompt));
        var law = new Dictionary<string, double>(StringComparer.Ordinal);
        Enumerate(context, generated: 0, probability: 1.0, text: "", law);
        return law;
    }

    private void Enumerate(List<int> context, int generated, double probability, string text, Dictionary<string, double> law)
    {
        var next = NextTokenProbabilities(context, generated);
        for (var token = 0; token < next.Count; token++)
        {
            if (next[token] == 0.0)
            {
                continue;
            }

            var p = probability * next[token];

            if (token == Vocabulary.EosId)
            {
                law[text] = law.GetValueOrDefault(text) + p;
                continue;
            }

            context.Add(token);
            Enumerate(context, generated + 1, p, text + Vocabulary.Tokens[token], law);
            context.RemoveAt(context.Count - 1);
        }
    }

    /// <summary>The log row of a decode-state history, resolved once per history node.</summary>
    internal double[] LogRowFor(TokenHistory history) =>
        history.CachedLogRow ??= _logRows[ResolveKey(history.LastTokens(Order))];

    internal void ValidateContextToken(int id, string parameterName)
    {
        if (id < 0 || id >= Vocabulary.Count)
        {
            throw new ArgumentOutOfRangeException(parameterName, id, $"Token id outside the vocabulary of {Vocabulary.Count}.");
        }

        if (id == Vocabulary.EosId)
        {
            throw new ArgumentException("A context cannot contain the EOS token.", parameterName);
        }
    }

    /// <summary>
    /// The longest present key among the suffixes of <paramref name="lastTokens"/> (at most
    /// <see cref="Order"/> tokens), built from the actual tokens joined by one space; "" always exists.
    /// </summary>
    private string ResolveKey(int[] lastTokens)
    {
        for (var skip = 0; skip < lastTokens.Length; skip++)
        {
            var key = string.Join(' ', lastTokens.Skip(skip).Select(id => Vocabulary.Tokens[id]));
            if (_probabilityRows.ContainsKey(key))
            {
                return key;
            }
        }

        return "";
    }

    public void Dispose()
    {
        // Nothing native: the tables are managed arrays. Present because models in general hold weights.
    }
}
