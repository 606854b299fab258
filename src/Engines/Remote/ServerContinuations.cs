using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Runtime.Decoding;

namespace Tts.Engines.Remote;

/// <summary>
/// Server-side sampling (<see cref="RemoteSampling.Server"/>) through <c>/v1/completions</c>: the rows of one run that
/// continue the same context under the same options become one request with <c>n</c> choices, the seed of its first
/// row, the stop strings (kept in the output for a step of smc or search), <c>logprobs = 0</c> (the sampled tokens'
/// log-probabilities) and vLLM's <c>return_tokens_as_token_ids</c>, so the sampled token ids come back exactly.
/// </summary>
internal static class ServerContinuations
{
    /// <summary>vLLM writes −∞ as −9999.0 (JSON has no infinity).</summary>
    private const double ServerNegativeInfinity = -9999.0;

    /// <summary>A float32 log-softmax may round a sure token's 0 slightly up.</summary>
    private const double LogProbTolerance = 1e-3;

    public static IReadOnlyList<SampledContinuation> Sample(
        RemoteLanguageModel model, RemoteDecodeState state, IReadOnlyList<ContinuationRequest> requests, CancellationToken cancellation)
    {
        // Joined by run, context and options, in the order of their first row: the same population asks the same requests.
        var joined = requests.Select((request, index) => (request, index))
            .GroupBy(r => (r.request.Run, Context: state.KeyOf(r.request.Row), Options: OptionsKey(r.request)))
            .Select(g => g.ToArray())
            .ToList();
        var answers = Task.WhenAll(joined.Select(group => SendAsync(model, state.ContextOf(group[0].request.Row), group.Select(g => g.request).ToArray(), cancellation)))
            .GetAwaiter().GetResult();
        var result = new SampledContinuation[requests.Count];
        for (var g = 0; g < joined.Count; g++)
        {
            for (var i = 0; i < joined[g].Length; i++)
            {
                result[joined[g][i].index] = answers[g][i];
            }
        }

        return result;
    }

    public static JsonObject Request(int[] context, ContinuationRequest first, int n)
    {
        var options = first.Options;
        var sampling = options.Sampling;
        var body = new JsonObject
        {
            ["prompt"] = new JsonArray(context.Select(id => (JsonNode)id).ToArray()),
            ["n"] = n,
            ["max_tokens"] = options.MaxTokens,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
            ["seed"] = (long)(first.Seed >> 1),
            ["logprobs"] = 0,
            ["return_tokens_as_token_ids"] = true,
        };

        // Sent only when on: plain OpenAI-compatible servers refuse vLLM's extensions they do not know.
        if (sampling.TopK > 0)
        {
            body["top_k"] = sampling.TopK;
        }

        if (sampling.MinP > 0)
        {
            body["min_p"] = sampling.MinP;
        }

        if (options.Stop.Count > 0)
        {
            body["stop"] = new JsonArray(options.Stop.Select(s => (JsonNode)s).ToArray());
            body["include_stop_str_in_output"] = first.IncludeStop;
        }

        return body;
    }

    /// <summary>The n continuations of one answer, in choice order.</summary>
    /// <exception cref="RemoteException">The answer lacks choices, token ids or log-probabilities, or names a token outside the vocabulary.</exception>
    public static SampledContinuation[] Parse(JsonElement answer, int n, int vocabularySize, int eos, string where)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array
            || choices.GetArrayLength() != n)
        {
            throw new RemoteException($"{where}: the answer does not hold the {n} choices asked for");
        }

        var result = new SampledContinuation[n];
        foreach (var choice in choices.EnumerateArray())
        {
            var index = choice.TryGetProperty("index", out var i) && i.TryGetInt32(out var value) ? value : -1;
            if (index < 0 || index >= n || result[index] is not null)
            {
                throw new RemoteException($"{where}: a choice has a missing, repeated or out-of-range index");
            }

            var (tokens, logProbs) = Tokens(choice, vocabularySize, where);
            var endedAtEos = choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String && reason.GetString() == "stop"
                && (!choice.TryGetProperty("stop_reason", out var stop) || stop.ValueKind == JsonValueKind.Null);
            if (tokens.Length > 0 && tokens[^1] == eos)
            {
                endedAtEos = true;
            }

            result[index] = new SampledContinuation(tokens, logProbs, endedAtEos, 0);
        }

        // The request's usage on its first choice: a run's sum is then exact however its rows were joined.
        var completion = Count(answer, "completion_tokens");
        result[0] = result[0] with { CompletionTokens = completion };
        return result;
    }

    private static async Task<SampledContinuation[]> SendAsync(RemoteLanguageModel model, int[] context, ContinuationRequest[] rows, CancellationToken cancellation)
    {
        var answer = await model.Client.PostAsync("completions", Request(context, rows[0], rows.Length), cancellation).ConfigureAwait(false);
        return Parse(answer, rows.Length, model.Vocabulary.Count, model.Vocabulary.EosId, $"{model.Client.Endpoint} (a context of {context.Length} tokens)");
    }

    /// <summary>choices[i].logprobs: tokens as "token_id:N" and their log-probabilities.</summary>
    private static (int[] Tokens, double[] LogProbs) Tokens(JsonElement choice, int vocabularySize, string where)
    {
        if (!choice.TryGetProperty("logprobs", out var logprobs) || logprobs.ValueKind != JsonValueKind.Object
            || !logprobs.TryGetProperty("tokens", out var names) || names.ValueKind != JsonValueKind.Array
            || !logprobs.TryGetProperty("token_logprobs", out var values) || values.ValueKind != JsonValueKind.Array
            || names.GetArrayLength() != values.GetArrayLength())
        {
            throw new RemoteException($"{where}: a choice has no logprobs.tokens and logprobs.token_logprobs of equal length: the server must return log-probabilities for /v1/completions");
        }

        var tokens = new int[names.GetArrayLength()];
        var logProbs = new double[tokens.Length];
        for (var t = 0; t < tokens.Length; t++)
        {
            const string prefix = "token_id:";
            var name = names[t].GetString() ?? "";
            if (!name.StartsWith(prefix, StringComparison.Ordinal)
                || !int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new RemoteException($"{where}: the server named a sampled token '{name}', not 'token_id:N': it must support vLLM's return_tokens_as_token_ids");
            }

            if (id >= vocabularySize)
            {
                throw new RemoteException($"{where}: the server sampled token id {id}, outside the local tokenizer's vocabulary of {vocabularySize}: ?tokenizer= must name the served model's tokenizer");
            }

            var logProb = values[t].ValueKind == JsonValueKind.Number ? values[t].GetDouble() : double.NaN;
            if (double.IsNaN(logProb) || logProb > LogProbTolerance || logProb <= ServerNegativeInfinity)
            {
                throw new RemoteException($"{where}: the server sampled token {id} with log-probability {values[t]}: not a token its law allows");
            }

            tokens[t] = id;
            logProbs[t] = logProb;
        }

        return (tokens, logProbs);
    }

    private static string OptionsKey(ContinuationRequest request) =>
        string.Join('\u0001', request.Options.Sampling, request.Options.MaxTokens, request.IncludeStop, string.Join('\u0000', request.Options.Stop));

    private static long Count(JsonElement root, string name) =>
        root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty(name, out var value) && value.TryGetInt64(out var count)
            ? count
            : 0;
}
