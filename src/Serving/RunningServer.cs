using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Tts.Serving.Scheduling;

namespace Tts.Serving;

/// <summary>
/// A started server: its address, and per model what its scheduler has done. Disposing stops listening, fails what
/// is still in flight with 503, and stops the schedulers; the models stay the caller's.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyDictionary<string, ModelScheduler> _schedulers;

    internal RunningServer(WebApplication app, Uri uri, IReadOnlyDictionary<string, ModelScheduler> schedulers)
    {
        _app = app;
        Uri = uri;
        _schedulers = schedulers;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41234/</c>; the OpenAI base URL is <c>Uri + "v1"</c>.</summary>
    public Uri Uri { get; }

    /// <summary>The scheduler counters of one served language model.</summary>
    public SchedulerStatistics Statistics(string model) => _schedulers[model].Statistics;

    /// <summary>Completes when the server stops (Ctrl-C in <c>tts serve</c>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation) => _app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        foreach (var scheduler in _schedulers.Values)
        {
            scheduler.Dispose();
        }

        await _app.DisposeAsync();
    }
}
