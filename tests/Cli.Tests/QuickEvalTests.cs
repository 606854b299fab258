using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Issue 17, the main job: `tts eval --task arithmetic` without --problems and --budgets is a quick run (40 problems,
/// budgets 1,4,16) that says how to get the full evaluation; `--full` is the README's table (200 problems, budgets
/// 1,2,4,8,16), and each problem's outcome is the same in both.
/// </summary>
public sealed class QuickEvalTests : IDisposable
{
    private static readonly string Policy = "policy=transformer:" + RepoPaths.Combine("models", "arith-policy");

    private readonly TempFolder _folder = new("tts-quick-eval-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public void The_default_arithmetic_run_is_quick_and_names_the_flag_for_the_full_one()
    {
        var single = RepoPaths.Combine("examples", "eval", "single.tts");
        var quick = CliRunner.Run("eval", single, "--task", "arithmetic", "--model", Policy, "--device", "cpu", "--out", _folder.Combine("quick"));

        Assert.True(quick.ExitCode == 0, quick.Error);
        Assert.Contains("arithmetic: 40 problems", quick.Output, StringComparison.Ordinal);
        Assert.Contains("a quick run: the first 40 test problems at budgets 1,4,16", quick.Output, StringComparison.Ordinal);
        Assert.Contains("add --full", quick.Output, StringComparison.Ordinal);

        // The same 40 problems asked for explicitly: the same outcomes, and no quick-run note.
        var explicitly = CliRunner.Run("eval", single, "--task", "arithmetic", "--model", Policy, "--device", "cpu", "--problems", "40", "--out", _folder.Combine("explicit"));
        Assert.True(explicitly.ExitCode == 0, explicitly.Error);
        Assert.DoesNotContain("a quick run", explicitly.Output, StringComparison.Ordinal);
        Assert.Equal(Outcomes(_folder.Combine("quick")), Outcomes(_folder.Combine("explicit")));
    }

    [Fact]
    public void Full_with_its_own_sizes_or_on_a_jsonl_task_is_refused()
    {
        var single = RepoPaths.Combine("examples", "eval", "single.tts");
        CliRunner.AssertOneLineError(
            CliRunner.Run("eval", single, "--task", "arithmetic", "--full", "--problems", "10", "--out", _folder.Combine("a")),
            "--full means --problems 200 --budgets 1,2,4,8,16: give either --full or those options");
        CliRunner.AssertOneLineError(
            CliRunner.Run("eval", single, "--task", _folder.Write("task.jsonl", "{\"prompt\": \"\", \"answer\": \"1\"}\n"), "--full", "--out", _folder.Combine("b")),
            "--full is a generated task's full evaluation");
    }

    private static string Outcomes(string folder)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        return string.Join(";", json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("correct").GetRawText() + "/" + r.GetProperty("tokens_per_problem").GetRawText()));
    }
}
