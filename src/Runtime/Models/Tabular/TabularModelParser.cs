using System.Text.Json;

namespace Tts.Runtime.Models.Tabular;

/// <summary>
/// Reads and validates a <c>tts-tabular-lm/1</c> file (DESIGN §4.1). Every rejection is one line
/// naming the source and the JSON location (<c>$.probs["a"][2]</c>).
/// </summary>
internal static class TabularModelParser
{
    public const string Format = "tts-tabular-lm/1";

    /// <summary>How far a row may sum away from 1.</summary>
    public const double RowSumTolerance = 1e-9;

    private static readonly string[] KnownProperties = ["format", "vocab", "eos", "order", "max_tokens", "probs"];

    public static TabularModel Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);

        using var document = ParseJson(json, sourceName);
        var root = document.RootElement;

        // A string that is not text ("\ud800") parses, and fails only when read: find it first, with its path.
        if (ModelFiles.MayHoldUnpairedSurrogate(json) && ModelFiles.FindUnpairedSurrogate(root, "$") is { } unpaired)
        {
            throw new ModelException($"{sourceName}: {unpaired} {ModelFiles.UnpairedSurrogate}.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error(sourceName, "$", $"expected a JSON object, got {Describe(root)}");
        }

        var properties = ReadProperties(root, sourceName);

        // The format comes first: a file of another format should be told so, not fail elsewhere.
        var format = Require(properties, "format", sourceName);
        if (format.ValueKind != JsonValueKind.String || format.GetString() != Format)
        {
            throw Error(sourceName, "$.format", $"expected {TabularText.Quote(Format)}, got {Describe(format)}");
        }

        var tokens = ReadVocabulary(Require(properties, "vocab", sourceName), sourceName);
        var eosId = ReadEos(Require(properties, "eos", sourceName), tokens, sourceName);
        var vocabulary = new Vocabulary(tokens, eosId);
        var order = ReadPositiveInteger(Require(properties, "order", sourceName), "$.order", sourceName);
        var maxTokens = ReadPositiveInteger(Require(properties, "max_tokens", sourceName), "$.max_tokens", sourceName);
        var rows = ReadRows(Require(properties, "probs", sourceName), vocabulary, order, sourceName);

        return new TabularModel(vocabulary, order, maxTokens, rows, sourceName);
    }

    private static JsonDocument ParseJson(string json, string sourceName)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
            });
        }
        catch (JsonException exception)
        {
            throw new ModelException($"{sourceName}: invalid JSON {ModelFiles.Locate(exception)}", exception);
        }
    }

    private static Dictionary<string, JsonElement> ReadProperties(JsonElement root, string sourceName)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var path = "$." + property.Name;
            if (!KnownProperties.Contains(property.Name))
            {
                throw Error(sourceName, "$", $"unknown property {TabularText.Quote(property.Name)} "
                    + $"(expected {string.Join(", ", KnownProperties.Select(TabularText.Quote))})");
            }

            if (!properties.TryAdd(property.Name, property.Value))
            {
                throw Error(sourceName, path, "property appears twice");
            }
        }

        return properties;
    }

    private static JsonElement Require(Dictionary<string, JsonElement> properties, string name, string sourceName) =>
        properties.TryGetValue(name, out var value)
            ? value
            : throw Error(sourceName, "$", $"missing property {TabularText.Quote(name)}");

    private static string[] ReadVocabulary(JsonElement vocab, string sourceName)
    {
        if (vocab.ValueKind != JsonValueKind.Array)
        {
            throw Error(sourceName, "$.vocab", $"expected an array of token strings, got {Describe(vocab)}");
        }

        var tokens = new List<string>();
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var element in vocab.EnumerateArray())
        {
            var path = $"$.vocab[{tokens.Count}]";
            if (element.ValueKind != JsonValueKind.String)
            {
                throw Error(sourceName, path, $"expected a token string, got {Describe(element)}");
            }

            var token = element.GetString()!;
            if (token.Length == 0)
            {
                throw Error(sourceName, path, "a token must not be the empty string");
            }

            if (!firstIndex.TryAdd(token, tokens.Count))
            {
                throw Error(sourceName, path, $"duplicate token {TabularText.Quote(token)} (also at $.vocab[{firstIndex[token]}])");
            }

            tokens.Add(token);
        }

        if (tokens.Count == 0)
        {
            throw Error(sourceName, "$.vocab", "the vocabulary is empty");
        }

        return tokens.ToArray();
    }

    private static int ReadEos(JsonElement eos, string[] tokens, string sourceName)
    {
        if (eos.ValueKind != JsonValueKind.String)
        {
            throw Error(sourceName, "$.eos", $"expected the EOS token string, got {Describe(eos)}");
        }

        var eosToken = eos.GetString()!;
        var eosId = Array.IndexOf(tokens, eosToken);
        return eosId >= 0
            ? eosId
            : throw Error(sourceName, "$.eos", $"token {TabularText.Quote(eosToken)} is not in the vocabulary");
    }

    private static int ReadPositiveInteger(JsonElement element, string path, string sourceName)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value) || value < 1)
        {
            throw Error(sourceName, path, $"expected an integer ≥ 1, got {Describe(element)}");
        }

        return value;
    }

    private static Dictionary<string, double[]> ReadRows(
        JsonElement probs, Vocabulary vocabulary, int order, string sourceName)
    {
        if (probs.ValueKind != JsonValueKind.Object)
        {
            throw Error(sourceName, "$.probs", $"expected an object from context keys to probability rows, got {Describe(probs)}");
        }

        var keyValidator = new ContextKeyValidator(vocabulary, order);
        var rows = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var property in probs.EnumerateObject())
        {
            var path = $"$.probs[{TabularText.Quote(property.Name)}]";
            if (rows.ContainsKey(property.Name))
            {
                throw Error(sourceName, path, "key appears twice");
            }

            if (!keyValidator.IsValid(property.Name))
            {
                throw Error(sourceName, path,
                    $"key is not at most {order} vocabulary tokens (EOS excluded) joined by single spaces");
            }

            rows.Add(property.Name, ReadRow(property.Value, vocabulary.Count, path, sourceName));
        }

        if (!rows.ContainsKey(""))
        {
            throw Error(sourceName, "$.probs", "missing the row \"\" (the fallback for every context)");
        }

        return rows;
    }

    private static double[] ReadRow(JsonElement row, int vocabularySize, string path, string sourceName)
    {
        if (row.ValueKind != JsonValueKind.Array)
        {
            throw Error(sourceName, path, $"expected an array of {vocabularySize} probabilities, got {Describe(row)}");
        }

        var length = row.GetArrayLength();
        if (length != vocabularySize)
        {
            throw Error(sourceName, path, $"expected {vocabularySize} probabilities (one per vocabulary token), got {length}");
        }

        var values = new double[length];
        var sum = 0.0;
        var index = 0;
        foreach (var element in row.EnumerateArray())
        {
            // JSON has no NaN or infinity literals, but an overflowing literal such as 1e999 is rejected here too.
            if (element.ValueKind != JsonValueKind.Number
                || !element.TryGetDouble(out var value)
                || !double.IsFinite(value)
                || value < 0.0
                || value > 1.0)
            {
                throw Error(sourceName, $"{path}[{index}]", $"expected a probability in [0, 1], got {Describe(element)}");
            }

            values[index++] = value;
            sum += value;
        }

        if (!(Math.Abs(sum - 1.0) <= RowSumTolerance))
        {
            throw Error(sourceName, path,
                $"probabilities sum to {TabularText.Number(sum)}, not 1 (tolerance {TabularText.Number(RowSumTolerance)})");
        }

        return values;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => TabularText.Quote(element.GetString()!),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => element.ValueKind.ToString(),
    };

    private static ModelException Error(string sourceName, string path, string message) =>
        new($"{sourceName}: {path}: {message}.");
}
