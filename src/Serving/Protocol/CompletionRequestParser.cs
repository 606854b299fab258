using System.Text.Json;
using Tts.Runtime.Models;
using Tts.Runtime.Sampling;

namespace Tts.Serving.Protocol;

/// <summary>
/// Reads a <c>/v1/completions</c> body into a <see cref="CompletionRequest"/>: OpenAI's fields plus vLLM's extensions
/// (<c>top_k</c>, <c>min_p</c>, <c>stop_token_ids</c>, <c>include_stop_str_in_output</c>, <c>prompt_logprobs</c>,
/// <c>return_tokens_as_token_ids</c>, <c>allowed_token_ids</c>). Fields that would change the result but are not
/// implemented (<c>stream</c>, penalties, <c>best_of</c> above n, <c>suffix</c>) are refused rather than ignored.
/// </summary>
internal static class CompletionRequestParser
{
    private const int MaxStopStrings = 16;

    public static CompletionRequest Parse(JsonFields fields, string model, ILanguageModel served, ServerOptions limits, Func<ulong> freshSeed)
    {
        var prompts = ReadPrompts(fields, served, limits);
        return ParseOptions(fields, model, prompts, served, limits, freshSeed, "max_tokens", Logprobs);
    }

    /// <summary>Everything but the prompt, shared with the chat endpoint (which names its token limit differently).</summary>
    public static CompletionRequest ParseOptions(
        JsonFields fields,
        string model,
        IReadOnlyList<PromptInput> prompts,
        ILanguageModel served,
        ServerOptions limits,
        Func<ulong> freshSeed,
        string maxTokensField,
        Func<JsonFields, int, int?> readLogprobs)
    {
        RefuseUnsupported(fields);
        var vocabularySize = served.Vocabulary.Count;
        var n = fields.Int("n", 1, 1, limits.MaxN);
        if (fields.OptionalInt("best_of", 1, limits.MaxN) is { } bestOf && bestOf != n)
        {
            throw ApiException.Unsupported("best_of", $"'best_of' other than n is not supported (got best_of {bestOf}, n {n}).");
        }

        if (prompts.Count * n > limits.MaxBatch)
        {
            throw ApiException.Invalid("n", $"{prompts.Count} prompts × n {n} = {prompts.Count * n} sequences exceed the server's batch of {limits.MaxBatch} (--max-batch).");
        }

        var maxLogprobs = Math.Min(limits.MaxLogprobs ?? vocabularySize, vocabularySize);
        var sampling = new SamplingOptions(
            fields.Double("temperature", 1.0),
            fields.Int("top_k", 0, -1, int.MaxValue) is var k && k < 0 ? 0 : k, // vLLM: -1 (or 0) turns top-k off
            fields.Double("top_p", 1.0),
            fields.Double("min_p", 0.0));
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            throw ApiException.Invalid(FirstBadSamplingField(sampling), e.Message);
        }

        return new CompletionRequest(
            model,
            prompts,
            n,
            fields.Int(maxTokensField, 16, 0, limits.MaxTokens),
            fields.Seed("seed") ?? freshSeed(),
            sampling,
            fields.StringOrList("stop", MaxStopStrings),
            fields.TokenIds("stop_token_ids", vocabularySize) ?? [],
            fields.Bool("include_stop_str_in_output", false),
            readLogprobs(fields, maxLogprobs),
            fields.OptionalInt("prompt_logprobs", 0, maxLogprobs),
            fields.Bool("echo", false),
            fields.Bool("return_tokens_as_token_ids", false),
            AllowedTokenIds(fields, vocabularySize),
            LogitBias(fields, vocabularySize));
    }

    /// <summary>
    /// <c>logprobs</c>: an integer count of alternatives (completions API); up to the vocabulary, or the server's
    /// <c>--max-logprobs</c>.
    /// </summary>
    private static int? Logprobs(JsonFields fields, int maxLogprobs)
    {
        if (fields.Get("logprobs") is { ValueKind: JsonValueKind.True or JsonValueKind.False })
        {
            throw ApiException.WrongType("logprobs", "an integer (the number of alternatives per position) in the completions API");
        }

        return fields.OptionalInt("logprobs", 0, maxLogprobs);
    }

    private static IReadOnlyList<PromptInput> ReadPrompts(JsonFields fields, ILanguageModel served, ServerOptions limits)
    {
        var prompt = fields.Get("prompt") ?? throw ApiException.Missing("prompt");
        var vocabularySize = served.Vocabulary.Count;
        List<PromptInput> prompts;
        if (prompt.ValueKind == JsonValueKind.String)
        {
            prompts = [Encode(served, prompt.GetString()!)];
        }
        else if (prompt.ValueKind != JsonValueKind.Array || prompt.GetArrayLength() == 0)
        {
            throw ApiException.WrongType("prompt", "a string, a list of strings, a list of token ids or a list of token-id lists, not empty");
        }
        else
        {
            var kinds = prompt.EnumerateArray().Select(item => item.ValueKind).Distinct().ToList();
            prompts = kinds switch
            {
                [JsonValueKind.String] => prompt.EnumerateArray().Select(item => Encode(served, item.GetString()!)).ToList(),
                [JsonValueKind.Number] => [new PromptInput(prompt.EnumerateArray().Select(item => JsonFields.TokenId(item, "prompt", vocabularySize)).ToArray(), null)],
                [JsonValueKind.Array] => prompt.EnumerateArray()
                    .Select(list => new PromptInput(list.EnumerateArray().Select(item => JsonFields.TokenId(item, "prompt", vocabularySize)).ToArray(), null))
                    .ToList(),
                _ => throw ApiException.WrongType("prompt", "a string, a list of strings, a list of token ids or a list of token-id lists (one kind, not mixed)"),
            };
        }

        if (prompts.Count > limits.MaxPrompts)
        {
            throw ApiException.Invalid("prompt", $"at most {limits.MaxPrompts} prompts per request, got {prompts.Count}.");
        }

        if (prompts.FirstOrDefault(p => p.Ids.Length > limits.MaxPromptTokens) is { } tooLong)
        {
            throw ApiException.Invalid("prompt", $"a prompt has {tooLong.Ids.Length} tokens; the server takes at most {limits.MaxPromptTokens}.");
        }

        return prompts;
    }

    /// <summary>A text prompt as the model tokenizes it; text the tokenizer cannot cover is the client's error.</summary>
    public static PromptInput Encode(ILanguageModel served, string text)
    {
        try
        {
            return new PromptInput(served.Encode(text), text);
        }
        catch (ModelException e)
        {
            throw ApiException.Invalid("prompt", $"the model cannot tokenize the prompt: {e.Message}");
        }
    }

    private static IReadOnlyList<int>? AllowedTokenIds(JsonFields fields, int vocabularySize)
    {
        var allowed = fields.TokenIds("allowed_token_ids", vocabularySize);
        if (allowed is { Count: 0 })
        {
            throw ApiException.Invalid("allowed_token_ids", "'allowed_token_ids' must name at least one token.");
        }

        return allowed;
    }

    /// <summary><c>logit_bias</c>: token id (as a JSON key) → bias in [-100, 100], added to the log-probability.</summary>
    private static IReadOnlyDictionary<int, double> LogitBias(JsonFields fields, int vocabularySize)
    {
        if (fields.Get("logit_bias") is not { } value)
        {
            return new Dictionary<int, double>();
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.WrongType("logit_bias", "an object mapping token ids to biases");
        }

        var bias = new Dictionary<int, double>();
        foreach (var entry in value.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id >= vocabularySize)
            {
                throw ApiException.Invalid("logit_bias", $"'logit_bias' key '{entry.Name}' is not a token id of the model's vocabulary of {vocabularySize}.");
            }

            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var b) || !(b >= -100 && b <= 100))
            {
                throw ApiException.Invalid("logit_bias", $"'logit_bias' of token {id} must be a number in [-100, 100].");
            }

            bias[id] = b;
        }

        return bias;
    }

    private static void RefuseUnsupported(JsonFields fields)
    {
        if (fields.Bool("stream", false))
        {
            throw ApiException.Unsupported("stream", "streaming is not supported: send 'stream': false (or leave it out).");
        }

        foreach (var penalty in new[] { "presence_penalty", "frequency_penalty" })
        {
            if (fields.Double(penalty, 0.0) != 0.0)
            {
                throw ApiException.Unsupported(penalty, $"'{penalty}' is not supported (it would change the sampled law): leave it at 0.");
            }
        }

        if (fields.Double("repetition_penalty", 1.0) != 1.0)
        {
            throw ApiException.Unsupported("repetition_penalty", "'repetition_penalty' is not supported: leave it at 1.");
        }

        if (fields.Has("suffix"))
        {
            throw ApiException.Unsupported("suffix", "'suffix' (insertion) is not supported.");
        }
    }

    private static string FirstBadSamplingField(SamplingOptions sampling) =>
        !double.IsFinite(sampling.Temperature) || sampling.Temperature < 0 ? "temperature"
        : sampling.TopK < 0 ? "top_k"
        : !(sampling.TopP > 0 && sampling.TopP <= 1) ? "top_p"
        : "min_p";
}
