using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.TestSupport;

namespace Tts.Serving.Tests;

/// <summary>A server on 127.0.0.1 at a free port for one test, with an HttpClient bounded in time; disposing stops both.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly List<IDisposable> _owned;

    private TestServer(RunningServer server, List<IDisposable> owned)
    {
        Server = server;
        _owned = owned;
        Http = new HttpClient { BaseAddress = server.Uri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public RunningServer Server { get; }

    public HttpClient Http { get; }

    public static string AbcPath => RepoPaths.Combine("examples", "models", "abc.json");

    /// <summary>The abc tabular model of examples/ served as "abc" (plus whatever else is given).</summary>
    public static Task<TestServer> StartAbcAsync(ServerOptions? options = null) =>
        StartAsync(new Dictionary<string, ILanguageModel> { ["abc"] = TabularModel.Load(AbcPath) }, options: options);

    /// <summary>Serves the models (which the server then owns for the test) and the rewards.</summary>
    public static async Task<TestServer> StartAsync(
        IReadOnlyDictionary<string, ILanguageModel> models, IReadOnlyDictionary<string, ServedReward>? rewards = null, ServerOptions? options = null)
    {
        var server = await OpenAiServer.StartAsync(models, rewards ?? new Dictionary<string, ServedReward>(), options ?? new ServerOptions());
        return new TestServer(server, models.Values.Cast<IDisposable>().ToList());
    }

    /// <summary>POSTs raw JSON text, as curl would.</summary>
    public async Task<(int Status, JsonNode Body)> PostAsync(string path, string json, CancellationToken cancellation = default)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(path.TrimStart('/'), content, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    public Task<(int Status, JsonNode Body)> PostAsync(string path, object body, CancellationToken cancellation = default) =>
        PostAsync(path, JsonSerializer.Serialize(body), cancellation);

    /// <summary>A completion that must succeed; returns the body.</summary>
    public async Task<JsonNode> CompleteAsync(object body, CancellationToken cancellation = default)
    {
        var (status, json) = await PostAsync("v1/completions", body, cancellation);
        Assert.True(status == 200, $"status {status}: {json.ToJsonString()}");
        return json;
    }

    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path.TrimStart('/'));
        Assert.Equal(200, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        foreach (var item in _owned)
        {
            item.Dispose();
        }
    }
}
