using System.Diagnostics;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Serving;
using Tts.TestSupport;
using Xunit.Abstractions;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// Tokens per second of best-of-N-style sampling on models/arith-policy in process and through tts serve on loopback —
/// client-side sampling (one request per live row per token) and server-side sampling (one request with n choices per
/// run) — at N = 1, 16, 64 in one run, printed for the performance notes.
/// It asserts only what must hold whatever the machine: every run returns its N texts through HTTP.
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    private const string Program = """
        model policy: lm
        strategy draws(n: int = 1) -> population {
            population xs = sample policy("12+34=", n: n, max_tokens: 12)
            return xs
        }
        """;

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task Sampling_in_process_and_through_http_at_1_16_64_particles()
    {
        var directory = RepoPaths.Combine("models", "arith-policy");
        using var local = TransformerModel.Load(directory);
        using var served = TransformerModel.Load(directory);
        await using var server = await OpenAiServer.StartAsync(
            new Dictionary<string, ILanguageModel> { ["arith"] = served }, new Dictionary<string, ServedReward>(), new ServerOptions());
        using var remote = RemoteLanguageModel.Open($"{server.Uri}v1?tokenizer={Uri.EscapeDataString(directory)}&concurrency=64#arith");
        using var serverSampled = RemoteLanguageModel.Open($"{server.Uri}v1?tokenizer={Uri.EscapeDataString(directory)}&concurrency=64&sampling=server#arith");
        var strategy = Strategies.Compile("draws", Program);
        foreach (var n in new[] { 1, 16, 64 })
        {
            var arguments = strategy.Arguments(new Dictionary<string, object> { ["n"] = (long)n });
            var (inProcess, _) = Measure(strategy, arguments, local);
            var (throughHttp, results) = Measure(strategy, arguments, remote);
            var (sampledOnServer, serverResults) = Measure(strategy, arguments, serverSampled);
            Assert.All(results.Concat(serverResults), r => Assert.Equal(n, ((object[])r.Output!).Length));
            output.WriteLine(
                $"N = {n,2}: in process {inProcess,8:0} tokens/s, through HTTP client-side {throughHttp,8:0} tokens/s ({throughHttp / inProcess:0.00}x), " +
                $"server-side {sampledOnServer,8:0} tokens/s ({sampledOnServer / inProcess:0.00}x)");
        }

        output.WriteLine($"client-side: {remote.Client.Usage}; server-side: {serverSampled.Client.Usage}");
    }

    private static (double TokensPerSecond, List<RunResult> Results) Measure(CompiledStrategy strategy, Dictionary<string, object> arguments, ILanguageModel model)
    {
        var options = new RunOptions(Seed: 11, Runs: 8);
        // A first pass warms up the JIT, TorchSharp and the connections; only the second is timed.
        strategy.Run(arguments, new ModelBindings().Bind("policy", model), options: options).ToList();
        var watch = Stopwatch.StartNew();
        var results = strategy.Run(arguments, new ModelBindings().Bind("policy", model), options: options).ToList();
        var seconds = watch.Elapsed.TotalSeconds;
        return (results.Sum(r => r.Spent.Tokens) / seconds, results);
    }
}
