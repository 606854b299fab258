using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Runtime.Rewards;

namespace Tts.Engines.Remote;

/// <summary>
/// A reward from a generative judge on a completions server: the probability that the model, asked a verification
/// prompt about a text, answers "Yes" — read exactly from the log-probabilities of the answer's tokens appended to the
/// prompt (<c>echo</c>), not from a sample. The prompt and the answer are tokenized separately and joined as token
/// ids, so the probability is that of exactly those tokens. All texts of a batch are asked at once (distinct texts
/// once each), bounded by the client's concurrency.
/// </summary>
public sealed class GenerativeJudgeReward : IReward, IDisposable
{
    public const string DefaultTemplate = "{prompt}{text}\nIs this answer correct? Answer Yes or No.\nAnswer:";

    public const string DefaultAnswer = " Yes";

    private readonly CompletionsClient _client;
    private readonly ServedTokenizer _tokenizer;
    private readonly string _template;
    private readonly int[] _answer;
    private readonly Func<int, string>? _promptOfRun;

    /// <param name="template">The verification prompt: <c>{text}</c> is the text judged, <c>{prompt}</c> its run's prompt (empty without one).</param>
    /// <param name="answer">The answer whose probability is the reward, e.g. " Yes".</param>
    public GenerativeJudgeReward(CompletionsClient client, ServedTokenizer tokenizer, string template, string answer, Func<int, string>? promptOfRun = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _template = template ?? throw new ArgumentNullException(nameof(template));
        _answer = tokenizer.Encode(answer ?? throw new ArgumentNullException(nameof(answer)));
        if (_answer.Length == 0)
        {
            throw new RemoteException("the judge's answer is empty: give the text whose probability is the reward, e.g. answer=%20Yes");
        }

        _promptOfRun = promptOfRun;
    }

    public RewardKind Kind => RewardKind.Prob;

    public RemoteUsage Usage => _client.Usage;

    /// <summary>
    /// Opens <c>URL?tokenizer=PATH[&amp;template=T][&amp;answer=A][#served-model]</c>: the endpoint's options
    /// (<see cref="RemoteEndpoint"/>) plus the judge's template and answer, percent-encoded.
    /// </summary>
    public static GenerativeJudgeReward Open(string spec, Func<int, string>? promptOfRun = null, HttpMessageHandler? handler = null)
    {
        var template = QueryOption.Take(ref spec, "template") ?? DefaultTemplate;
        var answer = QueryOption.Take(ref spec, "answer") ?? DefaultAnswer;
        var endpoint = RemoteEndpoint.Parse(spec);
        var tokenizer = ServedTokenizer.Load(endpoint.TokenizerPath);
        return new GenerativeJudgeReward(new CompletionsClient(endpoint, handler), tokenizer, template, answer, promptOfRun);
    }

    public IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var prompts = new string[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var prompt = _promptOfRun is null ? "" : _promptOfRun(FunctionCallContext.RunOf(i));
            prompts[i] = _template.Replace("{prompt}", prompt, StringComparison.Ordinal).Replace("{text}", texts[i], StringComparison.Ordinal);
        }

        var distinct = prompts.Distinct(StringComparer.Ordinal).ToList();
        var probabilities = Task.WhenAll(distinct.Select(p => AskAsync(p))).GetAwaiter().GetResult();
        var byPrompt = distinct.Zip(probabilities).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        return prompts.Select(p => byPrompt[p]).ToArray();
    }

    public void Dispose() => _client.Dispose();

    private async Task<double> AskAsync(string prompt)
    {
        var question = _tokenizer.Encode(prompt);
        int[] tokens = [.. _tokenizer.ContextOf(question), .. _answer];
        var request = new JsonObject
        {
            ["prompt"] = new JsonArray(tokens.Select(id => (JsonNode)id).ToArray()),
            ["max_tokens"] = 1,
            ["temperature"] = 1.0,
            ["echo"] = true,
            ["logprobs"] = 1,
        };
        var answer = await _client.PostAsync("completions", request, CancellationToken.None).ConfigureAwait(false);
        return Math.Exp(AnswerLogProbability(answer, tokens.Length));
    }

    /// <summary>The sum of the echoed log-probabilities of the answer's tokens: the last of the prompt's positions.</summary>
    private double AnswerLogProbability(JsonElement answer, int promptLength)
    {
        if (answer.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.Object
            && logprobs.TryGetProperty("token_logprobs", out var values) && values.ValueKind == JsonValueKind.Array
            && values.GetArrayLength() >= promptLength)
        {
            var sum = 0.0;
            for (var position = promptLength - _answer.Length; position < promptLength; position++)
            {
                var value = values[position];
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw new RemoteException($"{_client.Endpoint}: the echoed log-probability at prompt position {position} is {value.ValueKind}, not a number");
                }

                sum += value.GetDouble() <= -9999.0 ? double.NegativeInfinity : value.GetDouble();
            }

            return sum;
        }

        throw new RemoteException($"{_client.Endpoint}: the answer has no choices[0].logprobs.token_logprobs covering the {promptLength} prompt tokens: the server must support echo with logprobs");
    }
}
