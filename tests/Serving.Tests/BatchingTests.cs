using System.Diagnostics;
using Tts.Runtime.Models;

namespace Tts.Serving.Tests;

/// <summary>Concurrent requests share batched model steps; a vanished client frees its rows; a full queue answers 429.</summary>
public sealed class BatchingTests
{
    private const int Requests = 8;
    private const int TokensPerRequest = 20;

    [Fact]
    public async Task Concurrent_requests_are_decoded_in_shared_steps_with_the_outputs_they_get_alone()
    {
        var model = CountingModel.Endless(TimeSpan.FromMilliseconds(5));
        await using var server = await TestServer.StartAsync(new Dictionary<string, ILanguageModel> { ["endless"] = model });
        object Request(int i) => new { model = "endless", prompt = "x", max_tokens = TokensPerRequest, seed = 100 + i, n = 2 };

        var together = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => server.CompleteAsync(Request(i))));
        var stepsTogether = model.Steps;

        // Each request alone takes TokensPerRequest steps: batching must have shared steps between requests.
        Assert.True(stepsTogether < Requests * TokensPerRequest, $"{stepsTogether} steps for {Requests} concurrent requests of {TokensPerRequest} tokens: not batched");
        Assert.True(server.Server.Statistics("endless").MaxRowsInStep > 2, "no step held rows of two requests");
        Assert.Equal(Requests * 2L * TokensPerRequest, model.Rows);

        // The same requests one at a time: the same texts (a row's draws depend on its own key only).
        for (var i = 0; i < Requests; i++)
        {
            var alone = await server.CompleteAsync(Request(i));
            Assert.Equal(together[i]["choices"]!.ToJsonString(), alone["choices"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task A_client_that_disconnects_has_its_sequences_dropped_within_a_step()
    {
        var model = CountingModel.Endless(TimeSpan.FromMilliseconds(2));
        await using var server = await TestServer.StartAsync(new Dictionary<string, ILanguageModel> { ["endless"] = model });
        using var cancel = new CancellationTokenSource();
        var request = server.CompleteAsync(new { model = "endless", prompt = "x", max_tokens = 4000, n = 4 }, cancel.Token);
        await WaitUntil(() => server.Server.Statistics("endless").LiveSequences == 4, "the request to start");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await WaitUntil(() => server.Server.Statistics("endless").LiveSequences == 0, "the rows to be dropped");
        var steps = model.Steps;
        Assert.True(steps < 4000, $"{steps} steps: the cancelled request ran to its end");
        await Task.Delay(50);
        Assert.Equal(steps, model.Steps); // nothing decodes once the rows are gone
    }

    [Fact]
    public async Task A_full_queue_answers_429_and_frees_when_requests_finish()
    {
        var model = CountingModel.Endless(TimeSpan.FromMilliseconds(2));
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, ILanguageModel> { ["endless"] = model }, options: new ServerOptions { MaxBatch = 2, MaxN = 2, MaxQueuedSequences = 2 });
        using var cancel = new CancellationTokenSource();
        var running = server.CompleteAsync(new { model = "endless", prompt = "x", max_tokens = 4000, n = 2 }, cancel.Token);
        await WaitUntil(() => server.Server.Statistics("endless").LiveSequences == 2, "the first request to run");
        var waiting = server.CompleteAsync(new { model = "endless", prompt = "x", max_tokens = 4000, n = 2 }, cancel.Token);
        await WaitUntil(() => server.Server.Statistics("endless").QueuedSequences == 2, "the second request to queue");

        var (status, body) = await server.PostAsync("v1/completions", new { model = "endless", prompt = "x", max_tokens = 1 });
        Assert.Equal(429, status);
        Assert.Equal("server_at_capacity", (string?)body["error"]!["code"]);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await WaitUntil(() => server.Server.Statistics("endless") is { LiveSequences: 0, QueuedSequences: 0 }, "the queue to drain");
        var after = await server.CompleteAsync(new { model = "endless", prompt = "x", max_tokens = 1 });
        Assert.Equal("length", (string?)after["choices"]![0]!["finish_reason"]);
    }

    /// <summary>Polls a condition every 5 ms for at most 10 s.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }
}
