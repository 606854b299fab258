using System.Diagnostics;
using System.Globalization;
using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Populations;
using Tts.Runtime.Sampling;
using Tts.TestSupport;
using Xunit.Abstractions;

namespace Tts.Serving.Tests;

/// <summary>
/// The shipped arithmetic policy behind the server: greedy output equal to the in-process decoder's, and throughput
/// through HTTP at 1, 16 and 64 concurrent requests against the in-process batched decode of as many rows (printed;
/// the assertion is structural: the server's steps are shared, not one per request).
/// </summary>
[Trait("Category", TestCategories.Slow)]
public sealed class TransformerServingTests(ITestOutputHelper log)
{
    private const string Prompt = "Q: 37+48*2-15=?\n";
    private const int MaxTokens = 48;

    [Fact]
    public async Task Greedy_through_http_equals_the_in_process_decode()
    {
        using var model = TransformerModel.Load(RepoPaths.Combine("models", "arith-policy"), new TransformerOptions { Device = DevicePreference.Cpu });
        var expected = InProcess(model, rows: 1, new SamplingOptions(Temperature: 0)).Texts[0];
        await using var server = await TestServer.StartAsync(new Dictionary<string, ILanguageModel> { ["policy"] = Wrap(model) });
        var body = await server.CompleteAsync(new { model = "policy", prompt = Prompt, max_tokens = MaxTokens, temperature = 0 });
        Assert.Equal(expected, (string?)body["choices"]![0]!["text"]);
    }

    [Fact]
    public async Task Throughput_at_1_16_64_concurrent_requests_against_in_process()
    {
        using var model = TransformerModel.Load(RepoPaths.Combine("models", "arith-policy"), new TransformerOptions { Device = DevicePreference.Cpu });
        await using var server = await TestServer.StartAsync(new Dictionary<string, ILanguageModel> { ["policy"] = Wrap(model) });
        await server.CompleteAsync(new { model = "policy", prompt = Prompt, max_tokens = 4 }); // warm up
        InProcess(model, 4, new SamplingOptions());

        foreach (var n in new[] { 1, 16, 64 })
        {
            var clock = Stopwatch.StartNew();
            var (_, inProcessTokens) = InProcess(model, n, new SamplingOptions());
            var inProcessSeconds = clock.Elapsed.TotalSeconds;

            var before = server.Server.Statistics("policy");
            clock.Restart();
            var bodies = await Task.WhenAll(Enumerable.Range(0, n).Select(i =>
                server.CompleteAsync(new { model = "policy", prompt = Prompt, max_tokens = MaxTokens, seed = i })));
            var httpSeconds = clock.Elapsed.TotalSeconds;
            var httpTokens = bodies.Sum(b => (long)b["usage"]!["completion_tokens"]!);
            var steps = server.Server.Statistics("policy").Steps - before.Steps;

            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"N={n}: in-process {inProcessTokens} tokens in {inProcessSeconds:F3} s = {inProcessTokens / inProcessSeconds:F0} tok/s; " +
                $"HTTP {httpTokens} tokens in {httpSeconds:F3} s = {httpTokens / httpSeconds:F0} tok/s in {steps} model steps"));
            Assert.True(steps <= httpTokens, "more steps than tokens");
            if (n > 1)
            {
                Assert.True(steps < httpTokens / 2, $"{steps} steps for {httpTokens} tokens of {n} concurrent requests: not batched");
            }
        }
    }

    /// <summary>The server owns what it serves for a test; the test keeps the model, so hand it a non-owning view.</summary>
    private static ILanguageModel Wrap(ILanguageModel model) => new CountingModel(new NonOwning(model), TimeSpan.Zero);

    private static (string[] Texts, long Tokens) InProcess(ILanguageModel model, int rows, SamplingOptions sampling)
    {
        using var population = Population.Start(model, [Prompt], rows);
        long[] tokens = [0];
        long[] calls = [0];
        PopulationDecoder.Decode(population, new DecodeOptions(sampling, MaxTokens, []), seed: 0, firstRun: 0, stream: 0, tokens, calls);
        return (population.Texts.ToArray(), tokens[0]);
    }

    private sealed class NonOwning(ILanguageModel inner) : ILanguageModel
    {
        public Vocabulary Vocabulary => inner.Vocabulary;

        public int[] Encode(string text) => inner.Encode(text);

        public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => inner.Start(prompts, promptOfRow);

        public void Dispose()
        {
            // The test disposes the model.
        }
    }
}
