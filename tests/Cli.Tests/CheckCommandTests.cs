using Tts.TestSupport;

namespace Tts.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-check-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

    [Fact]
    public void Clean_file_prints_signatures_and_guarantees()
    {
        var result = CliRunner.Run("check", RepoPaths.Combine("examples", "strategies", "sampling.tts"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("strategy sample_once(prompt: text = \"\", temperature: real = 1.0, top_k: int = 0, top_p: real = 1.0) -> text", result.Output, StringComparison.Ordinal);
        Assert.Contains("guarantee: exact", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_error_is_located_coded_and_shown_with_the_line()
    {
        var path = Write("syntax.tts", "model policy: lm\nstrategy s(prompt: text) -> text {\n    population xs = sample policy(prompt)\n    return sample(xs\n}\n");
        var result = CliRunner.Run("check", path);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{path}(5,1): error TTS0001: unexpected '}}' in the call to sample; expected ')'", result.Output, StringComparison.Ordinal);
        Assert.Contains("    }\n    ^\n", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("1 error\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Type_error_is_located_and_coded()
    {
        var path = Write("types.tts", "model policy: lm\nstrategy s(prompt: text) -> text {\n    population xs = sample policy(prompt, n: 2)\n    return len(prompt)\n}\n");
        var result = CliRunner.Run("check", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}(4,12): error TTS0114: strategy 's' is declared to return text, but this expression is int", result.Output, StringComparison.Ordinal);
        Assert.Contains("           ^^^^^^^^^^^", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("check", _folder.Combine("absent.tts")), "file not found");
    }

    [Fact]
    public void Compile_dumps_each_stage()
    {
        var file = RepoPaths.Combine("examples", "strategies", "best_of_n.tts");
        Assert.Contains("CompilationUnitSyntax", CliRunner.Run("compile", file, "--emit", "ast").Output, StringComparison.Ordinal);
        Assert.Contains("BoundSampleStatement", CliRunner.Run("compile", file, "--emit", "bound").Output, StringComparison.Ordinal);
        Assert.Contains("select_best", CliRunner.Run("compile", file, "--emit", "ir").Output, StringComparison.Ordinal);
        var o0 = CliRunner.Run("compile", file, "--emit", "ir-opt", "-O", "0").Output;
        var o1 = CliRunner.Run("compile", file, "--emit", "ir-opt").Output;
        Assert.Contains("%6 = const \"\\n\"", o0, StringComparison.Ordinal);
        Assert.DoesNotContain("%6 = const \"\\n\"", o1, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_emit_stage_is_a_usage_error()
    {
        var result = CliRunner.Run("compile", "x.tts", "--emit", "llvm");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("tts: error: ", result.Error, StringComparison.Ordinal);
    }
}
