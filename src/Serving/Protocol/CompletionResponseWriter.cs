using System.Globalization;
using System.Text.Json;
using Tts.Runtime.Models;
using Tts.Serving.Scheduling;

namespace Tts.Serving.Protocol;

/// <summary>
/// Writes a finished job as an OpenAI <c>text_completion</c> with vLLM's extra fields (<c>stop_reason</c>,
/// <c>prompt_logprobs</c>, and <c>prompt_token_ids</c> / <c>token_ids</c> when <c>return_token_ids</c> is set).
/// Log-probabilities of −∞ are written as −9999.0, as vLLM does (JSON has no infinity).
/// </summary>
internal static class CompletionResponseWriter
{
    public const double NegativeInfinityStandIn = -9999.0;

    public static void Write(Utf8JsonWriter json, CompletionJob job, Vocabulary vocabulary, bool returnTokenIds)
    {
        var request = job.Request;
        json.WriteStartObject();
        json.WriteString("id", "cmpl-" + Guid.NewGuid().ToString("N"));
        json.WriteString("object", "text_completion");
        json.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.WriteString("model", request.Model);
        json.WriteStartArray("choices");
        foreach (var sequence in job.Sequences)
        {
            WriteChoice(json, job, sequence, vocabulary, returnTokenIds);
        }

        json.WriteEndArray();
        WriteUsage(json, request.Prompts.Sum(p => p.Ids.Length), job.Sequences.Sum(s => s.Tokens.Count));
        json.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter json, int promptTokens, int completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteEndObject();
    }

    /// <summary>The key of a token in top_logprobs and the entry of <c>tokens</c>: its text, or "token_id:N" (vLLM).</summary>
    public static string TokenName(int id, Vocabulary vocabulary, bool asIds) =>
        asIds ? "token_id:" + id.ToString(CultureInfo.InvariantCulture) : TokenText.Complete(vocabulary.Tokens[id]);

    public static void Number(Utf8JsonWriter json, double value) =>
        json.WriteNumberValue(double.IsNegativeInfinity(value) ? NegativeInfinityStandIn : value);

    private static void WriteChoice(Utf8JsonWriter json, CompletionJob job, Sequence sequence, Vocabulary vocabulary, bool returnTokenIds)
    {
        var request = job.Request;
        var prompt = request.Prompts[sequence.Prompt];
        var promptText = request.Echo ? prompt.Text ?? PromptText(prompt.Ids, vocabulary) : "";
        json.WriteStartObject();
        json.WriteNumber("index", sequence.Index);
        json.WriteString("text", promptText + sequence.Text);
        if (request.Logprobs is null)
        {
            json.WriteNull("logprobs");
        }
        else
        {
            WriteLogprobs(json, job, sequence, vocabulary, promptText);
        }

        json.WriteString("finish_reason", sequence.FinishReason);
        switch (sequence.StopReason)
        {
            case string stop:
                json.WriteString("stop_reason", stop);
                break;
            case int token:
                json.WriteNumber("stop_reason", token);
                break;
            default:
                json.WriteNull("stop_reason");
                break;
        }

        if (request.PromptLogprobs is { } top)
        {
            json.WriteStartArray("prompt_logprobs");
            foreach (var position in job.PromptScores[sequence.Prompt]!)
            {
                WritePromptPosition(json, position, top, vocabulary, request.TokensAsIds);
            }

            json.WriteEndArray();
        }

        if (returnTokenIds)
        {
            WriteIds(json, "prompt_token_ids", prompt.Ids);
            WriteIds(json, "token_ids", sequence.Tokens);
        }

        json.WriteEndObject();
    }

    /// <summary>OpenAI's legacy logprobs object; with echo, the prompt's positions come first (the first one null).</summary>
    private static void WriteLogprobs(Utf8JsonWriter json, CompletionJob job, Sequence sequence, Vocabulary vocabulary, string promptText)
    {
        var request = job.Request;
        var asIds = request.TokensAsIds;
        var entries = new List<(int Token, PositionLogprobs? Position, int Offset)>();
        if (request.Echo)
        {
            var ids = request.Prompts[sequence.Prompt].Ids;
            var scores = job.PromptScores[sequence.Prompt]!;
            var text = "";
            for (var t = 0; t < ids.Length; t++)
            {
                entries.Add((ids[t], scores[t], text.Length));
                text = vocabulary.AppendToken(text, ids[t], out _);
            }
        }

        for (var t = 0; t < sequence.Tokens.Count; t++)
        {
            entries.Add((sequence.Tokens[t], sequence.Logprobs![t], promptText.Length + sequence.TextOffsets[t]));
        }

        json.WriteStartObject("logprobs");
        json.WriteStartArray("tokens");
        foreach (var entry in entries)
        {
            json.WriteStringValue(TokenName(entry.Token, vocabulary, asIds));
        }

        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var entry in entries)
        {
            if (entry.Position is null)
            {
                json.WriteNullValue();
            }
            else
            {
                Number(json, entry.Position.Logprob);
            }
        }

        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var entry in entries)
        {
            if (entry.Position is null)
            {
                json.WriteNullValue();
                continue;
            }

            json.WriteStartObject();
            // The chosen token is always listed (vLLM: up to logprobs + 1 entries), then the best alternatives.
            var written = new HashSet<string>();
            foreach (var (id, value) in entry.Position.Top.Take(request.Logprobs!.Value).Prepend((entry.Token, entry.Position.Logprob)))
            {
                var name = TokenName(id, vocabulary, asIds);
                if (written.Add(name))
                {
                    json.WritePropertyName(name);
                    Number(json, value);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var entry in entries)
        {
            json.WriteNumberValue(entry.Offset);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>vLLM's prompt_logprobs entry: null at position 0, else {"id": {"logprob", "rank", "decoded_token"}}.</summary>
    private static void WritePromptPosition(Utf8JsonWriter json, PositionLogprobs? position, int top, Vocabulary vocabulary, bool asIds)
    {
        if (position is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        var written = new HashSet<int>();
        var ranked = position.Top.Take(top).Select((entry, i) => (entry.Id, entry.Logprob, Rank: i + 1));
        foreach (var (id, value, rank) in ranked.Prepend((position.Token, position.Logprob, position.Rank)))
        {
            if (!written.Add(id))
            {
                continue;
            }

            json.WriteStartObject(id.ToString(CultureInfo.InvariantCulture));
            Number(json, "logprob", value);
            json.WriteNumber("rank", rank);
            json.WriteString("decoded_token", TokenName(id, vocabulary, asIds));
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        json.WritePropertyName(name);
        Number(json, value);
    }

    private static void WriteIds(Utf8JsonWriter json, string name, IEnumerable<int> ids)
    {
        json.WriteStartArray(name);
        foreach (var id in ids)
        {
            json.WriteNumberValue(id);
        }

        json.WriteEndArray();
    }

    /// <summary>The text of a token-id prompt, every token included (EOS too: it is part of what was sent).</summary>
    private static string PromptText(int[] ids, Vocabulary vocabulary)
    {
        var text = "";
        foreach (var id in ids)
        {
            text = vocabulary.AppendToken(text, id, out _);
        }

        return TokenText.Complete(text);
    }
}
