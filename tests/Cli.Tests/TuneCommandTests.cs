using System.Text.Json;

namespace Tts.Cli.Tests;

/// <summary><c>tts tune</c> end to end on a JSONL task with a tabular coin-flip model (fixed seed).</summary>
public sealed class TuneCommandTests : IDisposable
{
    private const string Reject = """
        // Rejection sampling against the task's oracle.
        model policy: lm
        verifier valid

        strategy reject(question: text, tries: int = 1) -> text {
            population drafts = sample policy(question, n: tries, temperature: 1.0, max_tokens: 4)
            return first(drafts, where: valid(drafts), otherwise: "")
        }
        """;

    private readonly TempFolder _folder = new("tts-tune-");

    public void Dispose() => _folder.Dispose();

    /// <summary>Writes "1" or "2" with probability 1/2 each, then stops: every draw costs 2 tokens.</summary>
    private string Coin() => _folder.Write("coin.json", """
        {"format": "tts-tabular-lm/1", "vocab": ["1", "2", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 4,
         "probs": {"": [0.5, 0.5, 0], "1": [0, 0, 1], "2": [0, 0, 1]}}
        """);

    private string Task(int problems) =>
        _folder.Write("task.jsonl", string.Concat(Enumerable.Repeat("{\"prompt\": \"\", \"answer\": \"1\"}\n", problems)));

    private CliRunner.Result Tune(string outDir, params string[] extra) =>
        CliRunner.Run(
            ["tune", _folder.Write("reject.tts", Reject), "--task", Task(40), "--model", "policy=tabular:" + Coin(), "--dev", "20", "--held-out", "20",
             "--range", "tries=1,8", "--out", outDir, .. extra]);

    [Fact]
    public void It_chooses_the_most_accurate_candidate_and_writes_it_as_a_strategy_tts_run_accepts()
    {
        var outDir = _folder.Combine("out");
        var result = Tune(outDir);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("grid on 20 development problems", result.Output, StringComparison.Ordinal);
        Assert.Contains("chosen: reject(tries=8)", result.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "tune.json")));
        var candidates = json.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["reject(tries=1)", "reject(tries=8)"], candidates.Select(c => c.GetProperty("candidate").GetString()));
        // Every draw is "1" or "2" then EOS: 2 tokens, all tries drawn; the compiler's worst case is 4 tokens a try.
        Assert.Equal([2.0, 16.0], candidates.Select(c => c.GetProperty("dev").GetProperty("tokens_per_problem").GetDouble()));
        Assert.Equal([4L, 32L], candidates.Select(c => c.GetProperty("worst_case_tokens").GetInt64()));
        Assert.All(candidates, c => Assert.Equal(20, c.GetProperty("held_out").GetProperty("problems").GetInt32()));
        Assert.True(candidates[1].GetProperty("chosen").GetBoolean());
        Assert.True(new FileInfo(Path.Combine(outDir, "frontier.png")).Length > 1000);

        var tuned = Path.Combine(outDir, "tuned.tts");
        Assert.Contains("tries: int = 8", File.ReadAllText(tuned), StringComparison.Ordinal);
        Assert.StartsWith("// Tuned by `tts tune`", File.ReadAllText(tuned), StringComparison.Ordinal);
        var run = CliRunner.Run("run", tuned, "--model", "policy=tabular:" + Coin(), "--bind", "valid=contains(text, \"1\")", "--prompt", "", "--samples", "2", "--format", "jsonl");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(2, run.OutputLines.Count(l => l.Contains("\"tokens\":16", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_token_budget_picks_the_best_candidate_within_it()
    {
        var result = Tune(_folder.Combine("out"), "--max-tokens", "5");
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("chosen: reject(tries=1)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_are_never_overwritten_and_bad_ranges_are_one_line_errors()
    {
        var outDir = _folder.Combine("out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "tuned.tts"), "keep");
        CliRunner.AssertOneLineError(Tune(outDir), "already holds tuned.tts");
        Assert.Equal("keep", File.ReadAllText(Path.Combine(outDir, "tuned.tts")));

        CliRunner.AssertOneLineError(Tune(_folder.Combine("other"), "--range", "tau=1,2"), "no strategy has a parameter 'tau'");
        CliRunner.AssertOneLineError(Tune(_folder.Combine("other"), "--max-static-tokens", "3"), "no candidate's worst case fits (the smallest is 4)");
    }

    [Fact]
    public void Adaptive_compares_allocations_and_learns_a_rule_measured_on_held_out_problems()
    {
        var single = _folder.Write("single.tts", """
            model policy: lm
            strategy single(question: text) -> text {
                population xs = sample policy(question, n: 1, temperature: 1.0, max_tokens: 4)
                return sample(xs)
            }
            """);
        var outDir = _folder.Combine("out");
        var result = Tune(outDir, single, "--adaptive", "--pool", "4");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "adaptive.json")));
        var allocation = json.RootElement.GetProperty("allocation").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4], allocation.Select(r => r.GetProperty("samples_per_problem").GetInt32()));
        // Every sample costs 2 tokens: uniform k samples cost 2k; adaptive spends no more.
        Assert.All(allocation, r => Assert.Equal(2.0 * r.GetProperty("samples_per_problem").GetInt32(), r.GetProperty("uniform").GetProperty("tokens_per_problem").GetDouble(), 12));
        Assert.All(allocation, r => Assert.True(r.GetProperty("adaptive").GetProperty("tokens_per_problem").GetDouble() <= r.GetProperty("uniform").GetProperty("tokens_per_problem").GetDouble()));
        var routing = json.RootElement.GetProperty("routing");
        var probe = routing.GetProperty("probe_samples").GetInt32();
        Assert.Contains(probe, new[] { 2, 3, 4 });
        Assert.True(routing.GetProperty("held_out").GetProperty("tokens_per_problem").GetDouble() >= 2 * probe); // the probe is always paid
    }

    [Fact]
    public void Adaptive_needs_a_single_sample_strategy() =>
        CliRunner.AssertOneLineError(Tune(_folder.Combine("out"), "--adaptive", "--budget-parameter", "tries"), "--pool-strategy");
}
