using System.Diagnostics;
using System.Text;
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

    [Fact]
    public void Write_keeps_a_byte_order_mark()
    {
        var path = _folder.Combine("bom.tts");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Messy)]);

        Assert.Equal(0, CliRunner.Run("fmt", path, "--write").ExitCode);

        Assert.Equal([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Canonical)], File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_keeps_crlf_line_ends_and_check_accepts_a_canonical_crlf_file()
    {
        var path = Write("crlf.tts", Messy.Replace("\n", "\r\n"));

        Assert.Equal(0, CliRunner.Run("fmt", path, "--write").ExitCode);

        Assert.Equal(Canonical.Replace("\n", "\r\n"), File.ReadAllText(path));
        var check = CliRunner.Run("fmt", path, "--check");
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_refused_with_its_location_and_left_alone()
    {
        // "café" in Latin-1 on line 2: the byte 0xE9 has no UTF-8 reading, so no rewrite could keep it.
        var bytes = Encoding.Latin1.GetBytes("model   policy :lm\n// café\nstrategy s(p:text)->text{ return p }\n");
        var path = _folder.Combine("latin1.tts");
        File.WriteAllBytes(path, bytes);

        var result = CliRunner.Run("fmt", path, "--write");

        CliRunner.AssertOneLineError(result, $"{path}(2,7): not valid UTF-8");
        Assert.Equal(bytes, File.ReadAllBytes(path));
        CliRunner.AssertOneLineError(CliRunner.Run("fmt", path), "not valid UTF-8");
    }

    /// <summary>
    /// Block nesting that `tts check` rejects (here 1,000 nested forks, past the nesting limit) indents every line by its
    /// depth: formatting it once turned 8 KB into megabytes. A file that fails the check is reported as `check` reports
    /// it, never written.
    /// </summary>
    [Fact]
    public void A_file_that_fails_the_check_is_reported_and_never_written()
    {
        const int depth = 1000;
        var text = "strategy s(p: text) -> text {\n" + string.Concat(Enumerable.Repeat("fork {\n", depth)) + "return p\n"
                   + string.Concat(Enumerable.Repeat("}\n", depth)) + "}\n";
        var path = Write("deep.tts", text);

        var fmt = CliRunner.Run("fmt", path, "--write");

        Assert.Equal(1, fmt.ExitCode);
        Assert.Contains("error TTS0007", fmt.Output, StringComparison.Ordinal);
        Assert.Equal(CliRunner.Run("check", path).Output, fmt.Output);
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal(CliRunner.Run("check", path).Output, CliRunner.Run("fmt", path).Output);
    }

    /// <summary>The rewrite replaces the file by a rename: it must still keep the file's permissions and write through a link.</summary>
    [LinuxFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Write_keeps_permissions_and_follows_a_symbolic_link()
    {
        var path = Write("messy.tts", Messy);
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);
        var link = _folder.Combine("link.tts");
        File.CreateSymbolicLink(link, path);

        Assert.Equal(0, CliRunner.Run("fmt", link, "--write").ExitCode);

        Assert.Equal(Canonical, File.ReadAllText(path));
        Assert.Equal(path, new FileInfo(link).LinkTarget);
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    /// <summary>
    /// A write that fails half way (here the file-size limit, as a full disk would) leaves the source as it was:
    /// `--write` writes a temporary file next to it and renames it over the source only once it is complete.
    /// </summary>
    [LinuxFact]
    public void A_failed_write_leaves_the_source_file_whole()
    {
        var body = string.Concat(Enumerable.Range(0, 2000).Select(i => $"let x{i}=p+\"a\"\n"));
        var text = "model   policy :lm\nstrategy s(p:text)->text{\n" + body + "return p}\n";
        var path = Write("big.tts", text);

        // 16 KiB is less than the ~40 KB formatted text; SIGXFSZ is ignored so that the write fails with EFBIG
        // instead of killing the process. W^X off: its double mapping of code needs a file larger than the limit.
        var tts = Path.Combine(AppContext.BaseDirectory, "tts");
        var start = new ProcessStartInfo("bash", ["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" fmt \"$1\" --write", tts, path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        CliRunner.AssertOneLineError(new CliRunner.Result(process.ExitCode, output.Result, error), "big.tts: cannot write the file, left unchanged");
        Assert.Equal(text, File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }
}

/// <summary>A fact that needs Linux (bash, ulimit, SIGXFSZ): skipped, and said so, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux";
        }
    }
}
