using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Runtime.Rewards;

namespace Tts.Engines.Remote;

/// <summary>
/// A process reward model served on vLLM's <c>/pooling</c> endpoint (e.g. Qwen2.5-Math-PRM with step pooling, or
/// <c>tts serve --reward</c>): each text, after its run's prompt as a local reward model reads it, is sent as one
/// <c>input</c>; the answer holds one <c>[P(bad), P(good)]</c> pair per step, and the reward is P(good) of the last step
/// — the score of the whole text, what the in-process reward model gives it. A batch's distinct texts go in requests of
/// up to <see cref="InputsPerRequest"/> inputs, all at once (bounded by the client's concurrency).
/// </summary>
public sealed class PoolingReward : IReward, IDisposable
{
    public const int InputsPerRequest = 32;

    private readonly CompletionsClient _client;
    private readonly string? _stepSeparator;
    private readonly Func<int, string>? _promptOfRun;

    public PoolingReward(CompletionsClient client, string? stepSeparator = null, Func<int, string>? promptOfRun = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        if (client.Endpoint.ServedModel is null)
        {
            throw new RemoteException($"{client.Endpoint}: /pooling needs the served reward model's name: add #NAME to the URL");
        }

        _stepSeparator = stepSeparator;
        _promptOfRun = promptOfRun;
    }

    /// <summary>A score in [0, 1], declared as a local reward model's: <c>reward NAME: Score</c>.</summary>
    public RewardKind Kind => RewardKind.Score;

    public RemoteUsage Usage => _client.Usage;

    /// <summary>
    /// Opens <c>URL[?step_separator=S&amp;concurrency=N&amp;...]#SERVED-REWARD-MODEL</c>: the endpoint's options
    /// (<see cref="RemoteEndpoint"/>, no tokenizer needed: inputs are text) and the step separator the server splits
    /// steps at (sent only when given; vLLM configures its step tag on the server).
    /// </summary>
    public static PoolingReward Open(string spec, Func<int, string>? promptOfRun = null, HttpMessageHandler? handler = null)
    {
        var separator = QueryOption.Take(ref spec, "step_separator");
        if (separator is { Length: 0 })
        {
            throw new RemoteException("step_separator is empty: give the text between steps, e.g. step_separator=%0A");
        }

        return new PoolingReward(new CompletionsClient(RemoteEndpoint.Parse(spec, needsTokenizer: false), handler), separator, promptOfRun);
    }

    public IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var inputs = new string[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            // As the in-process reward model: a step ends at its line's last character, after the run's prompt.
            var text = texts[i].TrimEnd('\n');
            inputs[i] = _promptOfRun is null ? text : _promptOfRun(FunctionCallContext.RunOf(i)) + text;
        }

        var distinct = inputs.Distinct(StringComparer.Ordinal).ToList();
        var chunks = distinct.Chunk(InputsPerRequest).ToList();
        var scores = Task.WhenAll(chunks.Select(ScoreAsync)).GetAwaiter().GetResult();
        var byInput = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var c = 0; c < chunks.Count; c++)
        {
            for (var i = 0; i < chunks[c].Length; i++)
            {
                byInput[chunks[c][i]] = scores[c][i];
            }
        }

        return inputs.Select(input => byInput[input]).ToArray();
    }

    public void Dispose() => _client.Dispose();

    private async Task<double[]> ScoreAsync(string[] inputs)
    {
        var request = new JsonObject { ["input"] = new JsonArray(inputs.Select(i => (JsonNode)i).ToArray()) };
        if (_stepSeparator is not null)
        {
            request["step_separator"] = _stepSeparator;
        }

        var answer = await _client.PostAsync("pooling", request, CancellationToken.None).ConfigureAwait(false);
        return Parse(answer, inputs.Length, _client.Endpoint.ToString());
    }

    /// <summary>Per input, P(good) of its last step: data[i].data[^1][1].</summary>
    /// <exception cref="RemoteException">The answer is not one list of step pairs per input, or a value is not a probability.</exception>
    public static double[] Parse(JsonElement answer, int inputs, string where)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array
            || data.GetArrayLength() != inputs)
        {
            throw new RemoteException($"{where}: the /pooling answer does not hold data for the {inputs} inputs sent");
        }

        var scores = new double[inputs];
        var seen = new bool[inputs];
        foreach (var item in data.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var i) && i.TryGetInt32(out var value) ? value : -1;
            if (index < 0 || index >= inputs || seen[index])
            {
                throw new RemoteException($"{where}: a /pooling item has a missing, repeated or out-of-range index");
            }

            seen[index] = true;
            if (!item.TryGetProperty("data", out var steps) || steps.ValueKind != JsonValueKind.Array || steps.GetArrayLength() == 0
                || steps[steps.GetArrayLength() - 1] is not { ValueKind: JsonValueKind.Array } last || last.GetArrayLength() != 2
                || last[1].ValueKind != JsonValueKind.Number)
            {
                throw new RemoteException($"{where}: /pooling item {index} is not a list of [P(bad), P(good)] pairs per step: is the served model a process reward model with step pooling?");
            }

            var good = last[1].GetDouble();
            scores[index] = good is >= 0 and <= 1
                ? good
                : throw new RemoteException($"{where}: /pooling item {index} gives P(good) = {good}, not a probability");
        }

        return scores;
    }
}
