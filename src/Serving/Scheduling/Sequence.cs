using Tts.Runtime.Models;
using Tts.Serving.Protocol;

namespace Tts.Serving.Scheduling;

/// <summary>
/// One choice of a request while it decodes: its tokens, text, log-probabilities and why it ended. Only the scheduler
/// thread touches it until its job completes.
/// </summary>
internal sealed class Sequence(CompletionJob job, int prompt, int index, uint rowKey)
{
    public CompletionJob Job { get; } = job;

    public int Prompt { get; } = prompt;

    /// <summary>Its place in the response's choices (prompt × n + choice).</summary>
    public int Index { get; } = index;

    /// <summary>The counter-based key of its random stream; token t draws with key Combine(RowKey, t).</summary>
    public uint RowKey { get; } = rowKey;

    public List<int> Tokens { get; } = [];

    /// <summary>Per generated token, when the request asked for log-probabilities.</summary>
    public List<PositionLogprobs>? Logprobs { get; } = job.Request.Logprobs is null ? null : [];

    /// <summary>Per generated token, the length of <see cref="Text"/> before it (OpenAI's text_offset).</summary>
    public List<int> TextOffsets { get; } = [];

    /// <summary>The completion text so far; may carry escaped bytes of an unfinished character until it ends.</summary>
    public string Text { get; private set; } = "";

    public bool Finished => FinishReason is not null;

    /// <summary>"stop" (EOS, a stop string or a stop token) or "length" (max_tokens).</summary>
    public string? FinishReason { get; private set; }

    /// <summary>vLLM's stop_reason: the stop string or stop token id that ended it; null for EOS or length.</summary>
    public object? StopReason { get; private set; }

    /// <summary>Takes one sampled token and decides whether the sequence ends.</summary>
    public void Accept(int token, PositionLogprobs? logprobs, Vocabulary vocabulary)
    {
        var request = Job.Request;
        Tokens.Add(token);
        Logprobs?.Add(logprobs!);
        TextOffsets.Add(Text.Length);
        if (token == vocabulary.EosId)
        {
            Finish("stop", null);
            return;
        }

        if (request.StopTokenIds.Contains(token))
        {
            if (request.IncludeStopStrInOutput)
            {
                Text = vocabulary.AppendToken(Text, token, out _);
            }

            Finish("stop", token);
            return;
        }

        var text = vocabulary.AppendToken(Text, token, out var unchanged);
        if (request.Stop.Count > 0)
        {
            var longest = request.Stop.Max(s => s.Length);
            var (at, stop) = FindStop(text, request.Stop, Math.Max(0, unchanged - longest + 1));
            if (stop is not null)
            {
                Text = request.IncludeStopStrInOutput ? text[..(at + stop.Length)] : text[..at];
                Finish("stop", stop);
                return;
            }
        }

        Text = text;
        if (Tokens.Count >= request.MaxTokens)
        {
            Finish("length", null);
        }
    }

    /// <summary>Ends without a token: max_tokens 0, or no token has mass under allowed_token_ids and logit_bias.</summary>
    public void Finish(string reason, object? stopReason)
    {
        FinishReason = reason;
        StopReason = stopReason;
        Text = Runtime.Models.TokenText.Complete(Text);
    }

    /// <summary>The earliest occurrence of any stop string at or after <paramref name="from"/> (the longest among equals).</summary>
    private static (int At, string? Stop) FindStop(string text, IReadOnlyList<string> stops, int from)
    {
        var best = (At: -1, Stop: (string?)null);
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, from, StringComparison.Ordinal);
            if (at >= 0 && (best.Stop is null || at < best.At || (at == best.At && stop.Length > best.Stop.Length)))
            {
                best = (at, stop);
            }
        }

        return best;
    }
}
