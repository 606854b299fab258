using System.Globalization;
using System.Text.Json;
using Tts.Cli.Eval;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Transformer;
using Tts.TestSupport;
using Tts.Training.Arithmetic;

namespace Tts.Cli.Tests;

/// <summary><c>tts eval</c>: accuracy against budget on a JSONL task (exact, with a deterministic model) and on the arithmetic task (tiny models).</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-eval-");

    public void Dispose() => _folder.Dispose();

    /// <summary>A tabular model that always writes "1" then stops.</summary>
    private string AlwaysOne() => _folder.Write("one.json", """
        {"format": "tts-tabular-lm/1", "vocab": ["1", "2", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 4,
         "probs": {"": [1, 0, 0], "1": [0, 0, 1], "2": [0, 0, 1]}}
        """);

    private const string Vote = """
        model policy: lm
        strategy vote_answer(question: text, n: int = 4) -> text {
            population xs = sample policy(question, n: n, temperature: 1.0, max_tokens: 4)
            return vote(xs, key: answer(xs))
        }
        """;

    [Fact]
    public void On_a_jsonl_task_it_counts_exactly_the_problems_whose_extracted_answer_matches()
    {
        var task = _folder.Write("task.jsonl", """
            {"prompt": "", "answer": "1"}
            {"prompt": "", "answer": 2}

            {"prompt": "", "answer": 1}
            """);
        var strategy = _folder.Write("vote.tts", Vote);
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--budgets", "2,1", "--out", outDir);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("66.7%", result.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var rows = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1L, 2L], rows.Select(r => r.GetProperty("budget").GetInt64()));
        Assert.All(rows, r =>
        {
            Assert.Equal(3, r.GetProperty("problems").GetInt32());
            Assert.Equal(2, r.GetProperty("correct").GetInt32());
            var (low, high) = WilsonInterval.Of(2, 3);
            Assert.Equal(low, r.GetProperty("ci95_low").GetDouble(), 12);
            Assert.Equal(high, r.GetProperty("ci95_high").GetDouble(), 12);
        });

        // "1" then EOS: two tokens per particle.
        Assert.Equal([2.0, 4.0], rows.Select(r => r.GetProperty("tokens_per_problem").GetDouble()));
        AssertPng(Path.Combine(outDir, "accuracy.png"));
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void On_the_arithmetic_task_it_runs_every_strategy_with_the_reward_model_and_the_oracle()
    {
        var policy = _folder.Combine("policy");
        var config = ArithmeticModels.PolicyConfig(hidden: 16, layers: 1, heads: 2);
        using (var model = TransformerModel.CreateRandom(config, ArithmeticModels.TokenizerJson, seed: 3, new TransformerOptions { Device = DevicePreference.Cpu }))
        {
            model.Save(policy, SafetensorsDType.F32);
        }

        var prm = _folder.Combine("prm");
        var train = CliRunner.Run("train", "prm", "--policy", policy, "--out", prm, "--steps", "2", "--batch", "4", "--problems", "6", "--samples-per-problem", "2");
        Assert.True(train.ExitCode == 0, train.Error + train.Output);

        var oracle = _folder.Write("oracle.tts", """
            model policy: lm
            verifier correct
            strategy pass_at_n(question: text, n: int = 2) -> text {
                population xs = sample policy(question, n: n, temperature: 1.0, max_tokens: 8)
                return first(xs, where: correct, otherwise: "")
            }
            """);
        string[] strategies = ["single.tts", "majority_vote.tts", "weighted_best_of_n.tts", "best_of_n.tts"];
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run([
            "eval", .. strategies.Select(s => RepoPaths.Combine("examples", "eval", s)), oracle,
            "--task", "arithmetic", "--problems", "3", "--budgets", "1,2",
            "--model", "policy=transformer:" + policy, "--prm", prm, "--out", outDir, "--device", "cpu"]);

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var rows = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(1 + 4 * 2, rows.Count);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("budget").ValueKind);
        Assert.All(rows, r => Assert.InRange(r.GetProperty("accuracy").GetDouble(), 0, 1));
        double RewardCalls(string strategy, long budget) => rows
            .Single(r => r.GetProperty("strategy").GetString() == strategy && r.GetProperty("budget").GetInt64() == budget)
            .GetProperty("reward_calls_per_problem").GetDouble();
        Assert.Equal(2, RewardCalls("weighted_best_of_n", 2));
        Assert.Equal(0, RewardCalls("majority_vote", 2));
        AssertPng(Path.Combine(outDir, "accuracy.png"));
    }

    [Fact]
    public void A_line_of_the_task_that_is_not_json_is_located_one_based()
    {
        // It used to append System.Text.Json's own "LineNumber: 0 | BytePositionInLine: 14", counted from zero.
        var strategy = _folder.Write("vote.tts", Vote);
        var task = _folder.Write("task.jsonl", "{\"prompt\": \"\", \"answer\": \"1\"}\n{\"prompt\": \"\", ]\n");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne());
        CliRunner.AssertOneLineError(result, $"{task}(2,16): not valid JSON: ']' is an invalid start");
        Assert.DoesNotContain("LineNumber", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_several_strategies_without_a_name_says_how_eval_picks_one()
    {
        // It used to say "choose one with --strategy", a flag of `tts run` that eval does not have.
        var strategy = RepoPaths.Combine("examples", "eval", "confident_exit.tts");
        var task = _folder.Write("task.jsonl", """{"prompt": "", "answer": "1"}""");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne());
        CliRunner.AssertOneLineError(result, $"{strategy} has several strategies: choose one as {strategy}:NAME (more_confident, confident_exit)");
        Assert.DoesNotContain("--strategy", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_parameter_that_is_not_an_int_is_a_one_line_error()
    {
        var strategy = _folder.Write("vote.tts", Vote);
        var task = _folder.Write("task.jsonl", """{"prompt": "", "answer": "1"}""");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--budget-parameter", "question");
        CliRunner.AssertOneLineError(result, "a budget must be an int");
    }

    [Fact]
    public void Setting_the_budget_parameter_is_an_error_instead_of_being_overwritten()
    {
        var strategy = _folder.Write("vote.tts", Vote);
        var task = _folder.Write("task.jsonl", """{"prompt": "", "answer": "1"}""");
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--set", "n=3", "--out", outDir);
        CliRunner.AssertOneLineError(result, "--set n=...: 'n' is the budget parameter, which --budgets sets for every cell");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_cell_that_fails_is_reported_and_the_other_cells_still_run()
    {
        // At n = 1 the strategy asks for 0 particles: a runtime error for that budget only.
        var strategy = _folder.Write("shrinking.tts", """
            model policy: lm
            strategy shrinking(question: text, n: int = 4) -> text {
                population xs = sample policy(question, n: n - 1, temperature: 1.0, max_tokens: 4)
                return vote(xs, key: answer(xs))
            }
            """);
        var task = _folder.Write("task.jsonl", """{"prompt": "", "answer": "1"}""");
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run("eval", strategy, "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--budgets", "1,2", "--out", outDir);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("failed", result.Output, StringComparison.Ordinal);
        Assert.Contains("shrinking at n = 1 failed: 'n' must be at least 1, but it is 0", result.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var rows = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.True(rows[0].TryGetProperty("error", out _));
        Assert.False(rows[0].TryGetProperty("accuracy", out _));
        Assert.Equal(1.0, rows[1].GetProperty("accuracy").GetDouble());
        AssertPng(Path.Combine(outDir, "accuracy.png"));
    }

    /// <summary>A prompt the model cannot read failed every cell, then printed a table of failures and wrote files.</summary>
    [Fact]
    public void A_prompt_the_model_cannot_tokenize_fails_before_any_cell_runs()
    {
        var task = _folder.Write("task.jsonl", """
            {"prompt": "", "answer": "1"}
            {"prompt": "3", "answer": "1"}
            """);
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run("eval", _folder.Write("vote.tts", Vote), "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--out", outDir);

        CliRunner.AssertOneLineError(result, "problem 2: ");
        Assert.Equal("", result.Output);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>Redirected output printed a refresh line per tick of the live display (439 for one evaluation).</summary>
    [Fact]
    public void Redirected_output_has_one_line_per_finished_cell_then_the_table()
    {
        var task = _folder.Write("task.jsonl", """
            {"prompt": "", "answer": "1"}
            {"prompt": "", "answer": "2"}
            """);
        var result = CliRunner.Run("eval", _folder.Write("vote.tts", Vote), "--task", task, "--model", "policy=tabular:" + AlwaysOne(), "--budgets", "1,4", "--out", _folder.Combine("out"));

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.OutputLines;
        Assert.Equal("vote_answer at n = 1: 1/2 correct (50.0%), 2 tokens per problem", lines[0][..lines[0].LastIndexOf(',')]);
        Assert.StartsWith("vote_answer at n = 4: 1/2 correct (50.0%), 8 tokens per problem, ", lines[1], StringComparison.Ordinal);
        Assert.Contains("task: 2 problems", lines[2], StringComparison.Ordinal);
    }

    /// <summary>An 80-column terminal wrapped strategy names inside the table.</summary>
    [Fact]
    public void The_table_fits_80_columns_without_breaking_names()
    {
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(writer), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 80;
        var (low, high) = WilsonInterval.Of(182, 200);
        ResultsReport.WriteTable(console, "arithmetic: 200 problems", [
            new EvalResult("diverse_tree_search", 16, 200, 182, low, high, 854, 1234, 1234.5),
            new EvalResult("weighted_best_of_n", 16, 200, 182, low, high, 427, 16, 99.9),
        ], "n");

        var lines = writer.ToString().Split('\n');
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, line));
        Assert.Contains(lines, line => line.Contains("diverse_tree_search", StringComparison.Ordinal) && line.Contains("91.0% (86.2–94.2)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("weighted_best_of_n", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_task_file_is_a_one_line_error() =>
        CliRunner.AssertOneLineError(CliRunner.Run("eval", _folder.Write("vote.tts", Vote), "--task", _folder.Combine("none.jsonl")), "file not found");

    [Theory]
    [InlineData(0, 10, 0.0, 0.27753279986288)]
    [InlineData(5, 10, 0.23659309051525, 0.76340690948475)]
    [InlineData(10, 10, 0.72246720013712, 1.0)]
    public void Wilson_intervals_match_the_closed_form(int successes, int trials, double low, double high)
    {
        var interval = WilsonInterval.Of(successes, trials);
        Assert.Equal(low, interval.Low, 9);
        Assert.Equal(high, interval.High, 9);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}
