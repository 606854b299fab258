using System.Text;
using System.Text.Json;
using Tts.Runtime.Models;

namespace Tts.Serving.Protocol;

/// <summary>
/// Reads <c>/v1/chat/completions</c>. The served models have no chat template: the prompt is the messages' text
/// contents concatenated in order, as they are (send the model's own prompt format, e.g. "Q: 2+3=?\n", as one user
/// message). <c>logprobs</c> is a bool here and <c>top_logprobs</c> the count; the token limit is
/// <c>max_completion_tokens</c> or <c>max_tokens</c>.
/// </summary>
internal static class ChatRequestParser
{
    public static CompletionRequest Parse(JsonFields fields, string model, ILanguageModel served, ServerOptions limits, Func<ulong> freshSeed)
    {
        var prompt = CompletionRequestParser.Encode(served, PromptText(fields));
        var tokenField = fields.Has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        return CompletionRequestParser.ParseOptions(fields, model, [prompt], served, limits, freshSeed, tokenField, Logprobs);
    }

    private static int? Logprobs(JsonFields fields, int maxLogprobs)
    {
        var wanted = fields.Bool("logprobs", false);
        var top = fields.OptionalInt("top_logprobs", 0, maxLogprobs);
        if (top is not null && !wanted)
        {
            throw ApiException.Invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true.");
        }

        return wanted ? top ?? 0 : null;
    }

    private static string PromptText(JsonFields fields)
    {
        if (fields.Get("messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
        {
            throw fields.Has("messages") ? ApiException.WrongType("messages", "a non-empty list of messages") : ApiException.Missing("messages");
        }

        var text = new StringBuilder();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
            {
                throw ApiException.WrongType("messages", "a list of objects with a 'content'");
            }

            switch (content.ValueKind)
            {
                case JsonValueKind.String:
                    text.Append(content.GetString());
                    break;
                case JsonValueKind.Array:
                    foreach (var part in content.EnumerateArray())
                    {
                        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                        {
                            throw ApiException.Unsupported("messages", "only text content parts ({\"type\": \"text\", \"text\": ...}) are supported.");
                        }

                        text.Append(partText.GetString());
                    }

                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    throw ApiException.WrongType("messages", "messages whose 'content' is a string or a list of text parts");
            }
        }

        return text.ToString();
    }
}
