using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Serving;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// The client against <c>tts serve</c> over real HTTP on loopback (a free port, started and stopped in each test):
/// every strategy family gives, under the same seed, exactly the in-process outputs — so the law through HTTP is the
/// in-process law, which the law tests check against the exact oracle — also behind a proxy that drops, refuses,
/// delays and truncates; cancellation ends a run within a step.
/// </summary>
public sealed class ThroughServerTests : IAsyncLifetime
{
    private TinyServer? _tiny;

    public async Task InitializeAsync() => _tiny = await TinyServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_tiny is not null)
        {
            await _tiny.DisposeAsync();
        }
    }

    private RemoteLanguageModel Client(Uri server, string options = "") => _tiny!.Client(server, options);

    [Theory]
    [InlineData("plain")]
    [InlineData("pf")]
    [InlineData("spec")]
    public void Each_family_gives_the_in_process_outputs_and_a_rerun_repeats_them(string strategy)
    {
        using var local = TestModels.Tabular();
        var options = new RunOptions(Seed: 23, Runs: 4);
        var expected = Strategies.Run(strategy, local, options);
        using var remote = Client(_tiny!.Uri);
        var first = Strategies.Run(strategy, remote, options);
        var rerun = Strategies.Run(strategy, remote, options);
        Assert.Equal(Texts(expected), Texts(first));
        Assert.Equal(Texts(first), Texts(rerun));
        Assert.Equal(0, remote.Client.Usage.Retries);
    }

    [Fact]
    public async Task Behind_a_faulty_proxy_every_run_completes_once_with_unchanged_outputs()
    {
        var options = new RunOptions(Seed: 3, Runs: 3);
        List<RunResult> expected;
        long cleanRequests;
        using (var direct = Client(_tiny!.Uri))
        {
            expected = Strategies.Run("pf", direct, options);
            cleanRequests = direct.Client.Usage.Requests;
        }

        // Of every 10 requests: one dropped, one refused, one cut off, one delayed past the client's timeout.
        Fault FaultOf(int number) => (number % 10) switch
        {
            1 => Fault.Drop,
            4 => Fault.Unavailable,
            6 => Fault.Truncate,
            8 => Fault.Delay,
            _ => Fault.None,
        };
        await using var proxy = new FaultProxy(_tiny.Uri, FaultOf, delay: TimeSpan.FromSeconds(1.5));
        using var remote = Client(proxy.Uri, "&timeout=1&retries=8");
        var actual = Strategies.Run("pf", remote, options);
        Assert.Equal(Texts(expected), Texts(actual));
        Assert.Equal(cleanRequests, remote.Client.Usage.Requests);
        Assert.Equal(proxy.Requests - cleanRequests, remote.Client.Usage.Retries);
        Assert.True(remote.Client.Usage.Retries >= 4, $"only {remote.Client.Usage.Retries} faults were met");
    }

    [Fact]
    public async Task Cancellation_ends_a_run_within_a_step()
    {
        await using var proxy = new FaultProxy(_tiny!.Uri, _ => Fault.Delay, delay: TimeSpan.FromSeconds(30));
        using var remote = Client(proxy.Uri);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => Strategies.Run("plain", remote, new RunOptions(Seed: 1, Runs: 2), cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancelled after {watch.Elapsed}");
    }

    private static List<string> Texts(IEnumerable<RunResult> results) =>
        results.Select(r => $"{r.Run}: " + (r.Output is object[] texts ? string.Join(" | ", texts) : r.Output?.ToString())).ToList();
}
