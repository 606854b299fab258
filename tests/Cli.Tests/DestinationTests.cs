using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Issue 17, data loss: `tts eval`, `train` and `bench` claim their destinations before any compute (create-new, so
/// of two commands sharing one destination exactly one gets it) and never overwrite results.
/// </summary>
public sealed class DestinationTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-destinations-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Two_evals_sharing_one_out_never_both_succeed()
    {
        var model = _folder.Write("one.json", """
            {"format": "tts-tabular-lm/1", "vocab": ["1", "2", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 4,
             "probs": {"": [1, 0, 0], "1": [0, 0, 1], "2": [0, 0, 1]}}
            """);
        var task = _folder.Write("task.jsonl", string.Concat(Enumerable.Repeat("{\"prompt\": \"\", \"answer\": \"1\"}\n", 50)));
        var strategy = _folder.Write("vote.tts", """
            model policy: lm
            strategy vote_answer(question: text, n: int = 4) -> text {
                population xs = sample policy(question, n: n, temperature: 1.0, max_tokens: 4)
                return vote(xs, key: answer(xs))
            }
            """);
        var outDir = _folder.Combine("shared");
        string[] args = ["eval", strategy, "--task", task, "--model", "policy=tabular:" + model, "--budgets", "1,2,4,8", "--out", outDir];

        var results = await Task.WhenAll(Task.Run(() => CliRunner.Run(args)), Task.Run(() => CliRunner.Run(args))).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Single(results, r => r.ExitCode == 0);
        var refused = Assert.Single(results, r => r.ExitCode != 0);
        CliRunner.AssertOneLineError(refused, $"--out {outDir}: {Path.Combine(outDir, "results.json")} already exists");
        Assert.True(new FileInfo(Path.Combine(outDir, "results.json")).Length > 0);
    }

    [Fact]
    public void Train_refuses_an_out_that_cannot_be_written_before_training()
    {
        var blocker = _folder.Write("a-file", "not a folder");
        var result = CliRunner.Run("train", "policy", "--out", Path.Combine(blocker, "policy"), "--steps", "2", "--batch", "2", "--hidden", "8", "--layers", "1");

        CliRunner.AssertOneLineError(result, $"--out {Path.Combine(blocker, "policy")}: cannot write");
        Assert.Equal("", result.Output); // nothing trained
    }

    [Fact]
    public void Train_never_overwrites_a_model()
    {
        var directory = _folder.Combine("model");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.safetensors"), "weights");

        var result = CliRunner.Run("train", "policy", "--out", directory, "--steps", "2", "--batch", "2", "--hidden", "8", "--layers", "1");

        CliRunner.AssertOneLineError(result, "model.safetensors already exists; choose another destination (results are never overwritten)");
        Assert.Equal("weights", File.ReadAllText(Path.Combine(directory, "model.safetensors")));
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Bench_never_overwrites_its_json_and_says_so_before_measuring()
    {
        var json = _folder.Write("bench.json", "{\"kept\": true}");

        var result = CliRunner.Run("bench", "--preset", "smoke", "--json", json);

        CliRunner.AssertOneLineError(result, $"--json {json}: {json} already exists");
        Assert.Equal("{\"kept\": true}", File.ReadAllText(json));
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void A_refused_command_leaves_no_empty_claim_behind()
    {
        var outDir = _folder.Combine("eval-out");
        var result = CliRunner.Run("eval", _folder.Combine("missing.tts"), "--task", _folder.Combine("missing.jsonl"), "--out", outDir);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(outDir, "results.json")));
    }
}
