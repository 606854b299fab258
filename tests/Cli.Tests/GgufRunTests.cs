using System.Text.Json;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// <c>--model policy=gguf:FILE?OPTIONS</c> through the command line: the shipped policy exported by <c>tts export gguf</c>,
/// run with llama.cpp options on the spec; more samples than one context's sequences spread over several contexts.
/// </summary>
public sealed class GgufRunTests : IDisposable
{
    private static readonly string Sampling = RepoPaths.Combine("examples", "strategies", "sampling.tts");
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-gguf-run-").FullName;
    private readonly string _gguf;

    public GgufRunTests()
    {
        _gguf = Path.Combine(_folder, "policy.gguf");
        var export = CliRunner.Run("export", "gguf", RepoPaths.Combine("models", "arith-policy"), _gguf, "--type", "f32");
        Assert.True(export.ExitCode == 0, export.Error);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<string> Outputs(string spec, int samples)
    {
        var result = CliRunner.Run("run", Sampling, "--model", $"policy=gguf:{spec}", "--prompt", "Q: 12+7=?\n", "--seed", "5",
            "--samples", samples.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "jsonl");
        Assert.True(result.ExitCode == 0, result.Error);
        return result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("output").GetString()!).ToList();
    }

    [Fact]
    public void Options_on_the_spec_reach_llama_cpp_and_two_sequences_per_context_give_the_same_samples_as_256()
    {
        var oneContext = Outputs($"{_gguf}?threads=1&exact_attention=1", 9);
        var fiveContexts = Outputs($"{_gguf}?threads=1&exact_attention=1&sequences=2&context=256", 9);
        Assert.Equal(9, oneContext.Count);
        Assert.Equal(oneContext, fiveContexts);
    }

    /// <summary>The particle filter with the policy and the process reward model both exported to GGUF and run by llama.cpp.</summary>
    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public void The_particle_filter_runs_with_policy_and_reward_model_both_gguf()
    {
        var prm = Path.Combine(_folder, "prm.gguf");
        var export = CliRunner.Run("export", "gguf", RepoPaths.Combine("models", "arith-prm"), prm);
        Assert.True(export.ExitCode == 0, export.Error);
        var result = CliRunner.Run("run", RepoPaths.Combine("examples", "strategies", "particle_filter.tts"), "--strategy", "particle_filter",
            "--model", $"policy=gguf:{_gguf}?threads=1", "--bind", $"prm=reward-model:{prm}", "--prompt", "Q: 12+7=?\n",
            "--set", "n=4", "--set", "steps=4", "--seed", "3", "--format", "jsonl");
        Assert.True(result.ExitCode == 0, result.Error);
        var output = JsonDocument.Parse(Assert.Single(result.OutputLines)).RootElement.GetProperty("output").GetString()!;
        Assert.Contains("=", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?threads=1&speed=9", "unknown option 'speed' (known: threads, sequences, context, gpu_layers, exact_attention, kv_cache_gb)")]
    [InlineData("?sequences=300", "sequences=300 must be a whole number from 1 to 256")]
    [InlineData("?exact_attention=yes", "exact_attention=yes must be a whole number from 0 to 1")]
    [InlineData("?threads=1&threads=2", "option 'threads' must be given once")]
    [InlineData("?kv_cache_gb=0.001", "the 0.00 GB allowed: lower gguf:FILE?context=N or sequences=N, or raise kv_cache_gb=G")]
    public void Bad_options_are_one_line_errors(string query, string expected)
    {
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", $"policy=gguf:{_gguf}{query}", "--prompt", "Q: 1+1=?\n"), expected);
    }

    [Fact]
    public void A_missing_file_with_options_names_the_file_without_them()
    {
        var nowhere = Path.Combine(_folder, "nowhere.gguf");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", $"policy=gguf:{nowhere}?threads=1", "--prompt", "Q: 1+1=?\n"), $"file not found: {nowhere}");
    }
}
