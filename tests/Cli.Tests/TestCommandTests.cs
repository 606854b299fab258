using System.Globalization;
using Tts.Testing.Statistics;
using Tts.TestSupport;
using Tts.TestSupport.Statistics;

namespace Tts.Cli.Tests;

public sealed class TestCommandTests
{
    private static readonly string Model = $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}";

    /// <summary>One statistical assertion of the registry: the runtime check of the sampling example.</summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void An_exact_strategy_is_consistent_with_its_claim_and_exits_0()
    {
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count).ToString("R", CultureInfo.InvariantCulture);
        var result = CliRunner.Run("test", RepoPaths.Combine("examples", "strategies", "sampling.tts"), "--model", Model, "--runs", "5000", "--seed", "3", "--alpha", alpha);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("strategy sample_once: consistent with the claim", result.Output, StringComparison.Ordinal);
        Assert.Contains("TV(output law, target) = 0,", result.Output, StringComparison.Ordinal);
        Assert.Contains("chi-square against the exact output law", result.Output, StringComparison.Ordinal);
        Assert.Contains("n = 5000", result.Output, StringComparison.Ordinal);
        Assert.Contains("detects a deviation of", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void A_claim_the_oracle_refutes_exits_1_with_the_distance()
    {
        var result = CliRunner.Run("test", RepoPaths.Combine("examples", "broken", "exact_best_of_n.tts"), "--model", Model, "--claim", "exact", "--runs", "2000");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("strategy best_of_four: REFUTED", result.Output, StringComparison.Ordinal);
        Assert.Contains("refuted because the exact output law is 0.470732 away from the target", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Strategies_the_oracle_cannot_enumerate_are_reported_not_checked()
    {
        var result = CliRunner.Run("test", RepoPaths.Combine("examples", "strategies", "refine.tts"), "--strategy", "refine_loop", "--model", Model, "--runs", "100", "--set", "question=", "--bind", "valid=len(text) >= 2");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("strategy refine_loop: not checked: the oracle has no law for `refine`", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_tabular_models_are_a_usage_error()
    {
        var result = CliRunner.Run("test", RepoPaths.Combine("examples", "strategies", "sampling.tts"), "--model", "policy=transformer:/nowhere");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tts test needs tabular models", result.Error, StringComparison.Ordinal);
    }
}
