using Tts.Runtime.Models;
using Tts.Serving;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// <c>tts serve</c> over its own copy of the tiny tabular test model, as <c>tiny</c>, on a free loopback port, with the
/// tokenizer file clients need: a test class starts one in <c>InitializeAsync</c> and disposes it in <c>DisposeAsync</c>.
/// </summary>
internal sealed class TinyServer : IAsyncDisposable
{
    private readonly ILanguageModel _served;
    private readonly string _tokenizer;
    private readonly RunningServer _server;

    private TinyServer(ILanguageModel served, string tokenizer, RunningServer server)
    {
        _served = served;
        _tokenizer = tokenizer;
        _server = server;
    }

    public Uri Uri => _server.Uri;

    public static async Task<TinyServer> StartAsync()
    {
        var served = TestModels.Tabular();
        var tokenizer = TestModels.WriteFile();
        try
        {
            var server = await OpenAiServer.StartAsync(
                new Dictionary<string, ILanguageModel> { ["tiny"] = served }, new Dictionary<string, ServedReward>(), new ServerOptions());
            return new TinyServer(served, tokenizer, server);
        }
        catch
        {
            served.Dispose();
            File.Delete(tokenizer);
            throw;
        }
    }

    /// <summary>A client of <c>tiny</c> at <paramref name="server"/> (this server, or a proxy in front of it), 8 requests at once.</summary>
    public RemoteLanguageModel Client(Uri server, string options = "") =>
        RemoteLanguageModel.Open($"{server}v1?tokenizer={Uri.EscapeDataString(_tokenizer)}&concurrency=8{options}#tiny");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _served.Dispose();
        File.Delete(_tokenizer);
    }
}
