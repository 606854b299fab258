using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Serving;
using Tts.TestSupport;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// The shipped process reward model (models/arith-prm) served on tts serve's <c>/pooling</c> and bound remotely: the
/// same scores as in process, batched into few requests, and an smc run whose factors come from it gives the in-process
/// outputs and reward count.
/// </summary>
public sealed class PoolingRewardTests : IAsyncLifetime
{
    private const string Policy = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["1", "2", "\n", "<eos>"],
          "eos": "<eos>",
          "order": 1,
          "max_tokens": 64,
          "probs": {
            "":   [0.4, 0.4, 0.1, 0.1],
            "1":  [0.3, 0.3, 0.3, 0.1],
            "2":  [0.2, 0.4, 0.3, 0.1],
            "\n": [0.45, 0.45, 0.0, 0.1]
          }
        }
        """;

    private const string Program = """
        model policy: lm
        reward prm: Score

        strategy pf(n: int = 4) -> population {
            population ps = spawn(n, prompt: "1")
            smc ps with resample = systematic, steps <= 3 {
                extend ps by policy(stop: "\n", max_tokens: 3)
                factor ps += log(prm(ps) + 0.01)
            }
            return ps
        }
        """;

    private static readonly string Directory = RepoPaths.Combine("models", "arith-prm");
    private readonly TransformerRewardModel _served = TransformerRewardModel.Load(Directory);
    private readonly TransformerRewardModel _local = TransformerRewardModel.Load(Directory);
    private RunningServer? _server;

    public async Task InitializeAsync() =>
        _server = await OpenAiServer.StartAsync(
            new Dictionary<string, ILanguageModel>(),
            new Dictionary<string, ServedReward> { ["arith-prm"] = new(new RewardModelReward(_served), text => _served.Encode(text).Length) },
            new ServerOptions());

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _served.Dispose();
        _local.Dispose();
    }

    private PoolingReward Remote() => PoolingReward.Open($"{_server!.Uri}?concurrency=4#arith-prm");

    [Fact]
    public void Scores_equal_the_in_process_reward_model_s_in_few_requests()
    {
        var texts = Enumerable.Range(0, 40).Select(i => $"Q: {i}+1=?\nA: {i + 1}\n").Append("Q: 2+2=?\nA: 5").Append("Q: 2+2=?\nA: 5").ToList();
        using var remote = Remote();
        var scores = remote.Evaluate(texts);
        // Equal up to float32 rounding, not bit for bit: the server scores a request's texts with every step prefix in
        // one batch, in process they are one batch of whole texts, and whether a float32 GEMM's sums round alike for
        // different batch shapes depends on the CPU's kernels (bit-equal on the machines this was written on; on an AMD
        // EPYC the 33rd score differed by 2e-10, 1e-7 relative). 1e-6 relative is ten float32 epsilons through the net.
        var local = new RewardModelReward(_local).Evaluate(texts);
        Assert.Equal(local.Count, scores.Count);
        Assert.All(local.Zip(scores), pair => Assert.True(
            Math.Abs(pair.First - pair.Second) <= 1e-6 * Math.Abs(pair.First), $"remote {pair.Second:R} against in process {pair.First:R}"));
        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));

        // 41 distinct texts in requests of at most 32.
        Assert.Equal(2, remote.Usage.Requests);
        Assert.True(remote.Usage.PromptTokens > 0);
    }

    [Fact]
    public void An_smc_run_scored_remotely_gives_the_in_process_outputs_and_reward_count()
    {
        var strategy = Strategies.Compile("pf", Program);
        var options = new RunOptions(Seed: 11, Runs: 3);
        using var policy = TabularModel.Parse(Policy, "digits.json");
        var models = new ModelBindings().Bind("policy", policy);
        var expected = strategy.Run(strategy.Arguments(), models, new FunctionBindings().BindReward("prm", new RewardModelReward(_local)), options)
            .Select(r => r.Untimed()).ToList();
        using var remote = Remote();
        var actual = strategy.Run(strategy.Arguments(), models, new FunctionBindings().BindReward("prm", remote), options)
            .Select(r => r.Untimed()).ToList();
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        Assert.True(actual.Sum(r => r.Spent.RewardCalls) > 0);
    }

    [Theory]
    [InlineData("http://h/v1", "add #NAME")]
    [InlineData("http://h/v1?step_separator=#prm", "step_separator is empty")]
    public void Bad_specs_are_one_clear_error(string spec, string expected)
    {
        var error = Assert.Throws<RemoteException>(() => PoolingReward.Open(spec));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static string Describe(RunResult result) =>
        $"{result.Run}: {string.Join(" | ", (object[])result.Output!)} spent {result.Spent}";
}
