using System.Text;
using System.Text.Json;
using Tts.Runtime.Models;
using Tts.Serving.Scheduling;

namespace Tts.Serving.Protocol;

/// <summary>Writes a finished job as an OpenAI <c>chat.completion</c> (one assistant message per choice).</summary>
internal static class ChatResponseWriter
{
    public static void Write(Utf8JsonWriter json, CompletionJob job, Vocabulary vocabulary)
    {
        var request = job.Request;
        json.WriteStartObject();
        json.WriteString("id", "chatcmpl-" + Guid.NewGuid().ToString("N"));
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        json.WriteString("model", request.Model);
        json.WriteStartArray("choices");
        foreach (var sequence in job.Sequences)
        {
            json.WriteStartObject();
            json.WriteNumber("index", sequence.Index);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", sequence.Text);
            json.WriteEndObject();
            if (sequence.Logprobs is null)
            {
                json.WriteNull("logprobs");
            }
            else
            {
                WriteLogprobs(json, sequence, vocabulary, request.Logprobs!.Value);
            }

            json.WriteString("finish_reason", sequence.FinishReason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        CompletionResponseWriter.WriteUsage(json, request.Prompts.Sum(p => p.Ids.Length), job.Sequences.Sum(s => s.Tokens.Count));
        json.WriteEndObject();
    }

    private static void WriteLogprobs(Utf8JsonWriter json, Sequence sequence, Vocabulary vocabulary, int top)
    {
        json.WriteStartObject("logprobs");
        json.WriteStartArray("content");
        for (var t = 0; t < sequence.Tokens.Count; t++)
        {
            var position = sequence.Logprobs![t];
            json.WriteStartObject();
            WriteToken(json, position.Token, position.Logprob, vocabulary);
            json.WriteStartArray("top_logprobs");
            foreach (var (id, value) in position.Top.Take(top))
            {
                json.WriteStartObject();
                WriteToken(json, id, value, vocabulary);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, int id, double logprob, Vocabulary vocabulary)
    {
        var text = CompletionResponseWriter.TokenName(id, vocabulary, asIds: false);
        json.WriteString("token", text);
        json.WritePropertyName("logprob");
        CompletionResponseWriter.Number(json, logprob);
        json.WriteStartArray("bytes");
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            json.WriteNumberValue(b);
        }

        json.WriteEndArray();
    }
}
