using System.Diagnostics;
using Tts.Runtime.Execution;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Issue 17, memory: a run whose particles cannot fit is refused before any compute, for every backend (tabular
/// included), with `--memory-limit` to set the limit and an error that names it and the numbers; below the limit
/// batches shrink to fit, and a run's output does not change with its batch.
/// </summary>
public sealed class MemoryLimitTests
{
    private static readonly string Abc = $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}";
    private static readonly string BestOfN = RepoPaths.Combine("examples", "strategies", "best_of_n.tts");

    [Fact]
    public void A_tabular_run_whose_particles_exceed_the_limit_is_refused_before_any_compute()
    {
        var clock = Stopwatch.StartNew();
        var result = CliRunner.Run("run", BestOfN, "--model", Abc, "--set", "n=100000", "--memory-limit", "10MB");
        CliRunner.AssertOneLineError(result, "strategy 'best_of_n': one run holds 100000 particles, which need about");
        Assert.Contains("above the memory limit of 9.54 MiB (--memory-limit", result.Error, StringComparison.Ordinal);
        Assert.Contains("particles fit", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"refused only after {clock.Elapsed}");
    }

    [Fact]
    public void Test_takes_the_memory_limit_and_refuses_runs_that_exceed_it_before_any_compute()
    {
        // best_of_n at n = 16 on abc: 16 particles of ~1.1 KiB in one run, above 4 KiB.
        var result = CliRunner.Run("test", BestOfN, "--model", Abc, "--set", "n=16", "--runs", "2000", "--memory-limit", "4KiB");
        Assert.True(result.ExitCode == 3, result.Output + result.Error);
        Assert.Contains("strategy best_of_n: not checked: the run failed: strategy 'best_of_n': one run holds 16 particles", result.Output, StringComparison.Ordinal);
        Assert.Contains("(--memory-limit", result.Output, StringComparison.Ordinal);

        CliRunner.AssertOneLineError(CliRunner.Run("test", BestOfN, "--model", Abc, "--memory-limit", "lots"), "--memory-limit must be a size");
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public void The_shipped_transformer_at_240000_particles_is_refused_with_its_kv_cache_named()
    {
        var one = CliRunner.Run("run", RepoPaths.Combine("examples", "eval", "best_of_n.tts"), "--model", $"policy=transformer:{RepoPaths.Combine("models", "arith-policy")}",
            "--bind", "prm=1.0", "--prompt", "Q: 1+1=?\\n", "--set", "n=240000", "--device", "cpu", "--memory-limit", "8GB");
        CliRunner.AssertOneLineError(one, "one run holds 240000 particles, which need about 179.4 GiB");
        Assert.Contains("model 'policy' 782.83 KiB", one.Error, StringComparison.Ordinal);
        Assert.Contains("above the memory limit of 7.45 GiB (--memory-limit", one.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Batches_shrink_to_fit_the_limit_and_the_outputs_stay_the_same()
    {
        string[] run = ["run", BestOfN, "--model", Abc, "--set", "n=16", "--samples", "40", "--seed", "5", "--format", "jsonl"];
        var whole = CliRunner.Run(run);
        var small = CliRunner.Run([.. run, "--memory-limit", "40KiB"]); // 16 particles of ~1.1 KiB: two runs a batch
        Assert.Equal(0, whole.ExitCode);
        Assert.Equal(0, small.ExitCode);
        Assert.Equal(whole.Output, small.Output);
    }

    [Theory]
    [InlineData("8GB", 8_000_000_000L)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("4096", 4096L)]
    public void Sizes_parse_as_written(string text, long bytes) => Assert.Equal(bytes, MemorySize.Parse(text));

    [Theory]
    [InlineData("0")]
    [InlineData("-1GB")]
    [InlineData("lots")]
    [InlineData("1e30")]
    public void Sizes_that_are_not_sizes_are_refused(string text) => Assert.Null(MemorySize.Parse(text));
}
