using System.Text.Json;
using TorchSharp;

namespace Tts.Cli.Tests;

/// <summary>
/// `tts bench` keeps working: the smoke preset runs every row of the headline table on a tiny random model (seconds).
/// Only the table's structure is asserted, never a timing: CI machines are shared and their speed is no test.
/// </summary>
public sealed class BenchCommandTests
{
    private static readonly string[] RowKeys =
    [
        "dsl-best-of-n", "dsl-particle-filter", "resample-share", "batched-vs-sequential", "prefill-sharing",
        "roofline-n1", "roofline-n8", "decode-batched-vs-single", "kv-reorder-share",
    ];

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void Smoke_preset_prints_every_headline_row_and_writes_the_same_rows_as_json()
    {
        using var folder = new TempFolder("tts-bench");
        var jsonPath = folder.Combine("bench.json");

        var result = CliRunner.Run("bench", "--preset", "smoke", "--json", jsonPath);

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var column in new[] { "measure", "measured", "baseline", "ratio", "target", "verdict" })
        {
            Assert.Contains(column, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("measured ceilings: matmul", result.Output, StringComparison.Ordinal);
        // Noise rows of a smoke run were printed MISSED, as if measured.
        Assert.DoesNotContain("MISSED", result.Output, StringComparison.Ordinal);
        Assert.Contains("smoke preset: every row runs once on a tiny random model; the numbers are not measurements", result.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = json.RootElement;
        Assert.Equal("smoke", root.GetProperty("preset").GetString());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.True(root.GetProperty("rates").GetProperty("matmulFlopsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("rates").GetProperty("readBytesPerSecond").GetDouble() > 0);

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(RowKeys, rows.Select(r => r.GetProperty("key").GetString()));
        foreach (var row in rows)
        {
            var ratio = row.GetProperty("ratio").GetDouble();
            Assert.True(double.IsFinite(ratio) && ratio > 0, $"{row.GetProperty("key").GetString()}: ratio {ratio}");
            // Each row has its numbered footnote (setting and what limits it) on one line below the table.
            Assert.Contains($"[{row.GetProperty("key").GetString()}] {row.GetProperty("setting").GetString()}", result.Output, StringComparison.Ordinal);
        }

        // Prefill sharing is checked exactly (positions counted by the model), not by time: it must hold on any machine.
        var prefill = rows.Single(r => r.GetProperty("key").GetString() == "prefill-sharing");
        Assert.True(prefill.GetProperty("met").GetBoolean(), prefill.GetProperty("measured").GetString());
    }

    /// <summary>`tts bench profile` on the tiny model: every phase of the step is a row, one column per N; no timing is asserted.</summary>
    [Fact]
    public void Profile_prints_a_row_per_phase_and_a_column_per_model_and_N()
    {
        var result = CliRunner.Run("bench", "profile", "--models", "tiny", "--rows", "1,3", "--steps", "1", "--repetitions", "1", "--threads", "1", "--clock", "cpu");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| phase (ms, median) | tiny N=1 | tiny N=3 |", result.Output, StringComparison.Ordinal);
        foreach (var phase in new[]
                 {
                     "**whole step**", "next-token log-softmax (float64)", "sampling: transform + Gumbel-max (float64)", "matmul: q/k/v", "rotary, KV write",
                     "attention", "matmul: gate/up", "matmul: down", "matmul: LM head", "host bytes allocated per step (KB)",
                 })
        {
            Assert.Contains($"| {phase} |", result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("thread CPU time, 1 interleaved rounds of 1 steps", result.Output, StringComparison.Ordinal);
        CliRunner.AssertOneLineError(CliRunner.Run("bench", "profile", "--models", "tiny", "--clock", "sundial"), "unknown --clock 'sundial': use wall or cpu");
    }

    [WithoutCudaFact]
    public void Cuda_without_a_device_is_one_clear_error()
    {
        var result = CliRunner.Run("bench", "--preset", "smoke", "--device", "cuda");

        CliRunner.AssertOneLineError(result, "torch.cuda.is_available() is false");
    }

    [Fact]
    public void Unknown_preset_is_a_usage_error()
    {
        var result = CliRunner.Run("bench", "--preset", "huge");

        CliRunner.AssertOneLineError(result, "huge");
    }
}

/// <summary>A fact about machines without CUDA: skipped, and said so, where CUDA is present.</summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (torch.cuda.is_available())
        {
            Skip = "CUDA is available here: the missing-CUDA error cannot occur";
        }
    }
}
