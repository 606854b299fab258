using Tts.TestSupport;

namespace Tts.Cli.Tests;

public sealed class FmtCommandTests : IDisposable
{
    private const string Messy = "model   policy :lm // the model\nstrategy s(p:text)->text{ return p+\"a\" }\n";
    private const string Canonical = "model policy: lm // the model\n\nstrategy s(p: text) -> text {\n    return p + \"a\"\n}\n";

    private readonly TempFolder _folder = new("tts-fmt-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

    [Fact]
    public void Prints_the_canonical_form_and_leaves_the_file_alone()
    {
        var path = Write("messy.tts", Messy);
        var result = CliRunner.Run("fmt", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Canonical, result.Output);
        Assert.Equal("", result.Error);
        Assert.Equal(Messy, File.ReadAllText(path));
    }

    [Fact]
    public void Check_fails_on_an_unformatted_file_and_passes_on_a_formatted_one()
    {
        var messy = Write("messy.tts", Messy);
        var result = CliRunner.Run("fmt", messy, "--check");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{messy}: not formatted\n", result.Output);
        Assert.Equal(Messy, File.ReadAllText(messy));

        var clean = CliRunner.Run("fmt", Write("clean.tts", Canonical), "--check");
        Assert.Equal(0, clean.ExitCode);
        Assert.Equal("", clean.Output);
    }

    [Fact]
    public void Examples_pass_the_check()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("examples"), "*.tts", SearchOption.AllDirectories))
        {
            Assert.Equal(0, CliRunner.Run("fmt", file, "--check").ExitCode);
        }
    }

    [Fact]
    public void Write_rewrites_only_a_file_whose_form_changes()
    {
        var messy = Write("messy.tts", Messy);
        var result = CliRunner.Run("fmt", messy, "--write");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Equal(Canonical, File.ReadAllText(messy));

        var clean = Write("clean.tts", Canonical);
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(clean, stamp);
        Assert.Equal(0, CliRunner.Run("fmt", clean, "--write").ExitCode);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(clean));
    }

    [Fact]
    public void Syntax_errors_are_printed_as_check_prints_them_and_nothing_is_formatted()
    {
        var text = "model policy lm\n";
        var path = Write("bad.tts", text);
        var fmt = CliRunner.Run("fmt", path, "--write");
        Assert.Equal(1, fmt.ExitCode);
        Assert.StartsWith($"{path}(1,14): error TTS0001: unexpected name 'lm' in a model declaration; expected ':'\n", fmt.Output, StringComparison.Ordinal);
        Assert.EndsWith("1 error\n", fmt.Output, StringComparison.Ordinal);
        Assert.Equal(CliRunner.Run("check", path).Output, fmt.Output);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("fmt", _folder.Combine("absent.tts")), "file not found");
    }

    [Fact]
    public void Write_and_check_together_are_a_usage_error()
    {
        var result = CliRunner.Run("fmt", Write("clean.tts", Canonical), "--write", "--check");
        Assert.Equal(2, result.ExitCode);
        CliRunner.AssertOneLineError(result, "--write and --check");
    }
}
