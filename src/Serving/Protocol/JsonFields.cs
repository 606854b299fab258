using System.Text.Json;

namespace Tts.Serving.Protocol;

/// <summary>
/// Typed reads of a request's top-level fields, each failing with a 400 that names the field. JSON null counts as
/// absent, as OpenAI clients send nulls for unset options.
/// </summary>
internal sealed class JsonFields(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public bool Has(string name) => Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string RequiredString(string name) =>
        Get(name) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : throw ApiException.WrongType(name, "a string")
            : throw ApiException.Missing(name);

    public bool Bool(string name, bool fallback) => Get(name) switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw ApiException.WrongType(name, "true or false"),
    };

    public int Int(string name, int fallback, int min, int max) => OptionalInt(name, min, max) ?? fallback;

    public int? OptionalInt(string name, int min, int max)
    {
        if (Get(name) is not { } value)
        {
            return null;
        }

        var number = Integer(value, name);
        if (number < min || number > max)
        {
            throw ApiException.Invalid(name, $"'{name}' must be in [{min}, {max}], got {number}.");
        }

        return (int)number;
    }

    public double Double(string name, double fallback) => Get(name) switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.Number } value when value.TryGetDouble(out var number) && double.IsFinite(number) => number,
        _ => throw ApiException.WrongType(name, "a finite number"),
    };

    /// <summary>A seed: any integer that fits in 64 bits (negative seeds are taken modulo 2^64).</summary>
    public ulong? Seed(string name)
    {
        if (Get(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var signed))
        {
            return unchecked((ulong)signed);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var unsigned))
        {
            return unsigned;
        }

        throw ApiException.WrongType(name, "an integer");
    }

    /// <summary>A string or a list of strings (<c>stop</c>); empty strings are refused (they would match everywhere).</summary>
    public IReadOnlyList<string> StringOrList(string name, int maxCount)
    {
        var strings = Get(name) switch
        {
            null => [],
            { ValueKind: JsonValueKind.String } value => [value.GetString()!],
            { ValueKind: JsonValueKind.Array } value => value.EnumerateArray()
                .Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : throw ApiException.WrongType(name, "a string or a list of strings"))
                .ToList(),
            _ => throw ApiException.WrongType(name, "a string or a list of strings"),
        };
        if (strings.Count > maxCount)
        {
            throw ApiException.Invalid(name, $"'{name}' may have at most {maxCount} entries, got {strings.Count}.");
        }

        if (strings.Any(s => s.Length == 0))
        {
            throw ApiException.Invalid(name, $"'{name}' must not contain an empty string.");
        }

        return strings;
    }

    /// <summary>A list of token ids, each in [0, <paramref name="vocabularySize"/>).</summary>
    public IReadOnlyList<int>? TokenIds(string name, int vocabularySize)
    {
        if (Get(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.WrongType(name, "a list of token ids");
        }

        return value.EnumerateArray().Select(item => TokenId(item, name, vocabularySize)).ToList();
    }

    public static int TokenId(JsonElement item, string name, int vocabularySize)
    {
        var id = Integer(item, name);
        if (id < 0 || id >= vocabularySize)
        {
            throw ApiException.Invalid(name, $"'{name}' has token id {id}, outside the model's vocabulary of {vocabularySize} tokens.");
        }

        return (int)id;
    }

    private static long Integer(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        // JSON has one number type: 2.0 is an integer, 2.5 is not.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var real) && real == Math.Floor(real) && Math.Abs(real) < 1e15)
        {
            return (long)real;
        }

        throw ApiException.WrongType(name, "an integer");
    }
}
