using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tts.Runtime.Models;
using Tts.Serving.Hosting;
using Tts.Serving.Scheduling;

namespace Tts.Serving;

/// <summary>
/// An OpenAI-compatible HTTP server over the runtime's models (Kestrel, minimal APIs): <c>GET /health</c>,
/// <c>GET /v1/models</c>, <c>POST /v1/completions</c>, <c>POST /v1/chat/completions</c> and, for reward models,
/// vLLM's <c>POST /pooling</c>. Concurrent requests to one model are decoded together, one batched model step per
/// token (<see cref="ModelScheduler"/>). docs/serving.md is the protocol reference.
/// </summary>
public static class OpenAiServer
{
    /// <param name="models">Language models by served name; the caller keeps ownership.</param>
    /// <param name="rewards">Reward models by served name (on <c>/pooling</c>); may be empty.</param>
    public static async Task<RunningServer> StartAsync(
        IReadOnlyDictionary<string, ILanguageModel> models,
        IReadOnlyDictionary<string, ServedReward> rewards,
        ServerOptions options,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (models.Count + rewards.Count == 0)
        {
            throw new ArgumentException("Serve at least one model.", nameof(models));
        }

        if (models.Keys.Intersect(rewards.Keys).FirstOrDefault() is { } clash)
        {
            throw new ArgumentException($"The name '{clash}' is both a language model and a reward model.", nameof(rewards));
        }

        var address = ParseHost(options.Host);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });
        var app = builder.Build();
        var schedulers = models.ToDictionary(m => m.Key, m => new ModelScheduler(m.Key, m.Value, options), StringComparer.Ordinal);
        try
        {
            Endpoints.Map(app, new ServerState(models, schedulers, rewards, options));
            await app.StartAsync(cancellation);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new RunningServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"), schedulers);
        }
        catch
        {
            foreach (var scheduler in schedulers.Values)
            {
                scheduler.Dispose();
            }

            await app.DisposeAsync();
            throw;
        }
    }

    private static IPAddress ParseHost(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ArgumentException($"Host '{host}' is not an IP address (or localhost).");
}
