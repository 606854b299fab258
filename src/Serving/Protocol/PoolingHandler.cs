using System.Text.Json;

namespace Tts.Serving.Protocol;

/// <summary>
/// vLLM's <c>/pooling</c> for a process reward model, step pooling: <c>{"model", "input": text | [texts]}</c> →
/// <c>{"object": "list", "data": [{"index", "object": "pooling", "data": [[1 − s₁, s₁], [1 − s₂, s₂], ...]}], "usage"}</c>,
/// one pair per step as vLLM returns [P(bad), P(good)] for Qwen2.5-Math-PRM, so a client reads column 1. Steps are the
/// text's lines (or split by <c>step_separator</c>); step k's score is the reward of the text up to the end of step k,
/// exactly what an in-process <c>reward prm</c> gives that partial text, so the last pair scores the whole input.
/// </summary>
internal static class PoolingHandler
{
    public const int MaxInputs = 1024;

    public static (IReadOnlyList<string> Inputs, string Separator) Parse(JsonFields fields)
    {
        var input = fields.Get("input") ?? throw ApiException.Missing("input");
        IReadOnlyList<string> inputs = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.GetArrayLength() is > 0 and <= MaxInputs && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String) =>
                input.EnumerateArray().Select(i => i.GetString()!).ToList(),
            JsonValueKind.Array when input.GetArrayLength() > MaxInputs =>
                throw ApiException.Invalid("input", $"at most {MaxInputs} inputs per request, got {input.GetArrayLength()}."),
            _ => throw ApiException.WrongType("input", "a string or a non-empty list of strings (token-id input is not supported: send text)"),
        };
        var separator = fields.Get("step_separator") switch
        {
            null => "\n",
            { ValueKind: JsonValueKind.String } value when value.GetString()!.Length > 0 => value.GetString()!,
            _ => throw ApiException.WrongType("step_separator", "a non-empty string"),
        };
        return (inputs, separator);
    }

    /// <summary>The texts to score for one input: the prefix ending with each step (the separator kept with its step).</summary>
    public static List<string> StepPrefixes(string text, string separator)
    {
        var prefixes = new List<string>();
        var from = 0;
        while (from < text.Length)
        {
            var at = text.IndexOf(separator, from, StringComparison.Ordinal);
            var end = at < 0 ? text.Length : at + separator.Length;
            prefixes.Add(text[..end]);
            from = end;
        }

        if (prefixes.Count == 0)
        {
            prefixes.Add(text);
        }

        return prefixes;
    }

    public static void Write(Utf8JsonWriter json, string model, IReadOnlyList<IReadOnlyList<double>> scores, int promptTokens)
    {
        json.WriteStartObject();
        json.WriteString("id", "pool-" + Guid.NewGuid().ToString("N"));
        json.WriteString("object", "list");
        json.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.WriteString("model", model);
        json.WriteStartArray("data");
        for (var i = 0; i < scores.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("index", i);
            json.WriteString("object", "pooling");
            json.WriteStartArray("data");
            foreach (var score in scores[i])
            {
                json.WriteStartArray();
                json.WriteNumberValue(1.0 - score);
                json.WriteNumberValue(score);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        CompletionResponseWriter.WriteUsage(json, promptTokens, 0);
        json.WriteEndObject();
    }
}
