using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Runtime.Models.Tabular;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// An in-memory stand-in for a completions server over a tabular model (no socket): answers the full next-token law
/// keyed "token_id:N" for <c>logprobs</c> requests, and echo log-probabilities of the prompt for scoring requests.
/// <see cref="Fault"/> may replace an answer (by request number) to test the client's retries.
/// </summary>
internal sealed class TabularServerHandler(TabularModel model) : HttpMessageHandler
{
    private int _received;

    /// <summary>Request number (from 0) → a failure to answer with instead, or null to answer normally.</summary>
    public Func<int, Func<HttpResponseMessage>?> Fault { get; init; } = _ => null;

    /// <summary>Waited on before answering (cancellation tests).</summary>
    public Func<CancellationToken, Task> BeforeAnswer { get; init; } = _ => Task.CompletedTask;

    public int Received => Volatile.Read(ref _received);

    public List<string> AuthorizationHeaders { get; } = new();

    public List<JsonObject> Bodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _received) - 1;
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
        lock (Bodies)
        {
            Bodies.Add(body);
            AuthorizationHeaders.Add(request.Headers.Authorization?.ToString() ?? "");
        }

        await BeforeAnswer(cancellationToken);
        if (Fault(number) is { } fault)
        {
            return fault();
        }

        var prompt = body["prompt"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var choice = body["echo"]?.GetValue<bool>() == true ? Echo(prompt) : Next(prompt, body["logprobs"]!.GetValue<int>());
        var answer = new JsonObject
        {
            ["object"] = "text_completion",
            ["choices"] = new JsonArray(choice),
            ["usage"] = new JsonObject { ["prompt_tokens"] = prompt.Length, ["completion_tokens"] = 1 },
        };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    private JsonObject Next(int[] prompt, int logprobs)
    {
        var law = model.NextTokenProbabilities(prompt, 0);
        var top = new JsonObject();
        foreach (var id in Enumerable.Range(0, law.Count).OrderByDescending(i => law[i]).Take(logprobs))
        {
            top["token_id:" + id.ToString(CultureInfo.InvariantCulture)] = law[id] > 0 ? Math.Log(law[id]) : -9999.0;
        }

        return new JsonObject { ["index"] = 0, ["text"] = "", ["logprobs"] = new JsonObject { ["top_logprobs"] = new JsonArray(top) } };
    }

    /// <summary>OpenAI's echo shape: token_logprobs of every prompt token (the first null), then the one generated.</summary>
    private JsonObject Echo(int[] prompt)
    {
        var logprobs = new JsonArray { (JsonNode?)null };
        for (var i = 1; i < prompt.Length; i++)
        {
            var p = model.NextTokenProbabilities(prompt[..i], 0)[prompt[i]];
            logprobs.Add(p > 0 ? Math.Log(p) : -9999.0);
        }

        logprobs.Add(0.0);
        return new JsonObject { ["index"] = 0, ["text"] = "", ["logprobs"] = new JsonObject { ["token_logprobs"] = logprobs } };
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string message = "try later") =>
        new(status) { Content = new StringContent(JsonSerializer.Serialize(new { error = new { message } }), Encoding.UTF8, "application/json") };
}
