using System.Net;
using TorchSharp;
using Tts.Runtime.Execution;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// The client against an in-memory server over the test model: the laws it reads are the model's, and strategies of
/// every family give, under the same seed, exactly the outputs of the in-process model — with and without faults.
/// </summary>
public sealed class RemoteModelTests : IDisposable
{
    private readonly string _tokenizer = TestModels.WriteFile();

    public void Dispose() => File.Delete(_tokenizer);

    private RemoteLanguageModel Remote(TabularServerHandler handler, string options = "", int retries = 4) =>
        RemoteLanguageModel.Open($"http://remote.test/v1?tokenizer={Uri.EscapeDataString(_tokenizer)}&retries={retries}{options}#tiny", handler);

    [Fact]
    public void The_laws_read_from_the_server_are_the_models()
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local);
        using var remote = Remote(handler);
        int[][] prompts = [[3], [0], [1, 3], [2, 2, 1]];
        int[] rows = [0, 1, 2, 3, 1];
        using var localState = local.Start(prompts, rows);
        using var remoteState = remote.Start(prompts, rows);
        using var expected = localState.NextLogProbs();
        using var actual = remoteState.NextLogProbs();
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-12), "remote laws differ from the model's");

        // Rows 1 and 4 share a context: one request serves both.
        Assert.Equal(4, handler.Received);
        Assert.All(handler.Bodies, b => Assert.Equal("tiny", b["model"]!.GetValue<string>()));
        Assert.All(handler.Bodies, b => Assert.Equal(5, b["logprobs"]!.GetValue<int>()));
    }

    [Fact]
    public void A_held_row_costs_no_new_request_and_an_appended_row_one()
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local);
        using var remote = Remote(handler);
        using var state = remote.Start([[0]], [0, 0]);
        state.NextLogProbs().Dispose();
        Assert.Equal(1, handler.Received);
        state.Append(torch.tensor(new long[] { 1, 1 }), hold: [false, true]);
        state.NextLogProbs().Dispose();
        Assert.Equal(2, handler.Received);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("pf")]
    [InlineData("spec")]
    public void Each_family_gives_the_in_process_outputs_under_the_same_seed(string strategy)
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local);
        using var remote = Remote(handler);
        var options = new RunOptions(Seed: 17, Runs: 3);
        var expected = Strategies.Run(strategy, local, options);
        var actual = Strategies.Run(strategy, remote, options);
        Assert.Equal(Texts(expected), Texts(actual));
        Assert.Equal(expected.Select(r => r.Spent), actual.Select(r => r.Spent));
        Assert.Equal(handler.Received, remote.Client.Usage.Requests);
    }

    [Fact]
    public void Transient_faults_are_retried_and_change_nothing()
    {
        using var local = TestModels.Tabular();
        var options = new RunOptions(Seed: 5, Runs: 2);
        var clean = new TabularServerHandler(local);
        List<RunResult> expected;
        using (var remote = Remote(clean))
        {
            expected = Strategies.Run("pf", remote, options);
        }

        // Every third request fails: 503, 429 with Retry-After, a dropped connection, a body cut off mid-JSON.
        var faulty = new TabularServerHandler(local)
        {
            Fault = number => (number % 12) switch
            {
                0 => () => TabularServerHandler.Status(HttpStatusCode.ServiceUnavailable),
                3 => () => RetryAfter(),
                6 => () => throw new HttpRequestException(HttpRequestError.ConnectionError, "connection reset by the test"),
                9 => () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"choices\": [{\"logprobs\": {\"top_lo") },
                _ => null,
            },
        };
        using var retried = Remote(faulty, "&timeout=5");
        var actual = Strategies.Run("pf", retried, options);
        Assert.Equal(Texts(expected), Texts(actual));
        Assert.Equal(clean.Received, retried.Client.Usage.Requests);
        Assert.Equal(faulty.Received - clean.Received, retried.Client.Usage.Retries);
        Assert.True(retried.Client.Usage.Retries > 0);
    }

    [Fact]
    public void A_refused_request_is_one_line_naming_the_server_and_its_message()
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local) { Fault = _ => () => TabularServerHandler.Status(HttpStatusCode.BadRequest, "logprobs 5 exceeds --max-logprobs 2\nsee docs") };
        using var remote = Remote(handler);
        using var state = remote.Start([[0]], [0]);
        var error = Assert.Throws<RemoteException>(() => state.NextLogProbs());
        Assert.Equal(1, handler.Received);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("http://remote.test/v1#tiny", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("--max-logprobs 2 see docs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_that_all_fail_end_with_the_last_failure()
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local) { Fault = _ => () => TabularServerHandler.Status(HttpStatusCode.BadGateway) };
        using var remote = Remote(handler, retries: 2);
        using var state = remote.Start([[0]], [0]);
        var error = Assert.Throws<RemoteException>(() => state.NextLogProbs());
        Assert.Equal(3, handler.Received);
        Assert.Contains("failed 3 times; the last failure: HTTP 502", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_reaches_requests_in_flight()
    {
        using var local = TestModels.Tabular();
        var handler = new TabularServerHandler(local) { BeforeAnswer = token => Task.Delay(TimeSpan.FromSeconds(30), token) };
        using var remote = Remote(handler);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => Strategies.Run("plain", remote, new RunOptions(Seed: 1), cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancelled after {watch.Elapsed}");
        Assert.Equal(0, remote.Client.Usage.Requests);
    }

    [Fact]
    public void The_api_key_goes_only_into_the_authorization_header()
    {
        const string variable = "TTS_REMOTE_TEST_KEY";
        Environment.SetEnvironmentVariable(variable, "sk-secret-123");
        try
        {
            using var local = TestModels.Tabular();
            var handler = new TabularServerHandler(local) { Fault = _ => () => TabularServerHandler.Status(HttpStatusCode.Unauthorized, "bad key") };
            using var remote = Remote(handler, $"&key_env={variable}");
            using var state = remote.Start([[0]], [0]);
            var error = Assert.Throws<RemoteException>(() => state.NextLogProbs());
            Assert.Equal("Bearer sk-secret-123", Assert.Single(handler.AuthorizationHeaders));
            Assert.DoesNotContain("sk-secret", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-secret", remote.Client.Endpoint.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("sk-secret", handler.Bodies.Single().ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static HttpResponseMessage RetryAfter()
    {
        var response = TabularServerHandler.Status(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(20));
        return response;
    }

    private static List<string> Texts(IEnumerable<RunResult> results) =>
        results.Select(r => $"{r.Run}: " + (r.Output is object[] texts ? string.Join(" | ", texts) : r.Output?.ToString())).ToList();
}
