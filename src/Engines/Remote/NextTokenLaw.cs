using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tts.Engines.Remote;

/// <summary>
/// The full next-token law of one context through <c>/v1/completions</c>: one generated token with
/// <c>logprobs = V</c> and vLLM's <c>return_tokens_as_token_ids</c>, so the top-V alternatives of the first position
/// are the whole vocabulary keyed <c>"token_id:N"</c>. The server's own draw is ignored; the runtime samples.
/// </summary>
internal static class NextTokenLaw
{
    /// <summary>
    /// vLLM writes −∞ as −9999.0 (JSON has no infinity); anything at or below is impossible. Tolerance of the total
    /// mass: servers compute in float32, and a vocabulary that does not match the served model misses far more.
    /// </summary>
    private const double ServerNegativeInfinity = -9999.0;

    private const double MassTolerance = 1e-3;

    public static JsonObject Request(int[] context, int vocabularySize, long seed) => new()
    {
        ["prompt"] = new JsonArray(context.Select(id => (JsonNode)id).ToArray()),
        ["max_tokens"] = 1,
        ["temperature"] = 1.0,
        ["logprobs"] = vocabularySize,
        ["return_tokens_as_token_ids"] = true,
        ["seed"] = seed,
        ["n"] = 1,
    };

    /// <summary>The [V] log-probabilities of the answer, normalized in double precision.</summary>
    /// <exception cref="RemoteException">The answer lacks the alternatives, keys them by text, or they are not the full vocabulary.</exception>
    public static double[] Parse(JsonElement answer, int vocabularySize, string where)
    {
        var alternatives = FirstAlternatives(answer, where);
        var law = new double[vocabularySize];
        Array.Fill(law, double.NegativeInfinity);
        var seen = 0;
        foreach (var entry in alternatives.EnumerateObject())
        {
            var id = TokenId(entry.Name, where);
            if (id >= vocabularySize)
            {
                throw new RemoteException($"{where}: the server answered token id {id}, outside the local tokenizer's vocabulary of {vocabularySize}: ?tokenizer= must name the served model's tokenizer");
            }

            if (entry.Value.ValueKind != JsonValueKind.Number)
            {
                throw new RemoteException($"{where}: the log-probability of token {id} is {entry.Value.ValueKind}, not a number");
            }

            var value = entry.Value.GetDouble();
            law[id] = value <= ServerNegativeInfinity ? double.NegativeInfinity : value;
            seen++;
        }

        var total = LogSumExp(law);
        if (seen < vocabularySize && !(Math.Abs(Math.Exp(total) - 1) <= MassTolerance))
        {
            throw new RemoteException(
                $"{where}: the server returned {seen} of {vocabularySize} log-probabilities holding mass {Math.Exp(total):0.######}: not the full distribution (start vLLM with --max-logprobs {vocabularySize} or more, and check ?tokenizer= names the served model's tokenizer)");
        }

        if (!(Math.Abs(Math.Exp(total) - 1) <= MassTolerance))
        {
            throw new RemoteException($"{where}: the server's next-token probabilities sum to {Math.Exp(total):0.######}, not 1: they are not a distribution over this vocabulary");
        }

        for (var id = 0; id < law.Length; id++)
        {
            law[id] -= total;
        }

        return law;
    }

    /// <summary>choices[0].logprobs.top_logprobs[0]: the alternatives of the one generated position.</summary>
    private static JsonElement FirstAlternatives(JsonElement answer, string where)
    {
        if (answer.ValueKind == JsonValueKind.Object
            && answer.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.Object
            && logprobs.TryGetProperty("top_logprobs", out var top) && top.ValueKind == JsonValueKind.Array && top.GetArrayLength() > 0
            && top[0].ValueKind == JsonValueKind.Object)
        {
            return top[0];
        }

        throw new RemoteException($"{where}: the answer has no choices[0].logprobs.top_logprobs[0]: the server must return log-probabilities for /v1/completions");
    }

    private static int TokenId(string key, string where)
    {
        const string prefix = "token_id:";
        if (key.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        throw new RemoteException($"{where}: the server keyed a log-probability by '{key}', not 'token_id:N': it must support vLLM's return_tokens_as_token_ids");
    }

    private static double LogSumExp(double[] values)
    {
        var max = values.Max();
        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        var sum = 0.0;
        foreach (var value in values)
        {
            sum += Math.Exp(value - max);
        }

        return max + Math.Log(sum);
    }
}
