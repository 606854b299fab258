using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;

namespace Tts.Serving.Tests;

/// <summary>vLLM's /pooling shape for a process reward: one [P(bad), P(good)] pair per step, each the reward of the text so far.</summary>
public sealed class PoolingTests
{
    [Fact]
    public async Task Pooling_returns_one_pair_per_step_scoring_each_prefix()
    {
        // A reward that is the share of 'b' in the text: easy to state per prefix.
        var reward = DelegateReward.PerText(RewardKind.Score, text => text.Length == 0 ? 0.0 : text.Count(c => c == 'b') / (double)text.Length);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, ILanguageModel> { ["abc"] = TabularModel.Load(TestServer.AbcPath) },
            new Dictionary<string, ServedReward> { ["prm"] = new(reward, text => text.Length) });

        var models = await server.GetAsync("v1/models");
        Assert.Equal(["abc", "prm"], models["data"]!.AsArray().Select(m => (string)m!["id"]!));

        var (status, body) = await server.PostAsync("pooling", new { model = "prm", input = new[] { "ab\nbb\n", "a" } });
        Assert.Equal(200, status);
        Assert.Equal("list", (string?)body["object"]);
        var data = body["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.Equal("pooling", (string?)data[0]!["object"]);
        var steps = data[0]!["data"]!.AsArray().Select(pair => (double)pair![1]!).ToList();
        Assert.Equal([1 / 3.0, 3 / 6.0], steps); // "ab\n", then "ab\nbb\n"
        Assert.Equal(1 - steps[0], (double)data[0]!["data"]![0]![0]!, 15);
        Assert.Equal([0.0], data[1]!["data"]!.AsArray().Select(pair => (double)pair![1]!));
        Assert.Equal(7, (int)body["usage"]!["prompt_tokens"]!);

        (status, body) = await server.PostAsync("v1/completions", new { model = "prm", prompt = "a" });
        Assert.Equal(400, status);
        Assert.Equal("model", (string?)body["error"]!["param"]);
        (status, body) = await server.PostAsync("pooling", new { model = "prm", input = new[] { 1, 2 } });
        Assert.Equal(400, status);
        Assert.Equal("input", (string?)body["error"]!["param"]);
    }
}
