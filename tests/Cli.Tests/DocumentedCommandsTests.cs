using System.Diagnostics;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Runs every shell command README.md and docs/ mark runnable (see <see cref="DocumentedCommand"/>), so the documented
/// commands and transcripts cannot drift from what the command line does. Only commands that take seconds are marked;
/// each is stopped after <see cref="Limit"/>.
/// </summary>
public sealed class DocumentedCommandsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in DocumentedCommand.All())
        {
            data.Add(command.ToString());
        }

        return data;
    }

    [Fact]
    public void The_readme_and_docs_mark_commands_and_transcripts_runnable_and_each_is_a_tts_command()
    {
        var all = DocumentedCommand.All();
        Assert.Contains(all, c => c.File == "README.md" && c.ExpectedOutput is not null);
        Assert.Contains(all, c => c.File == "README.md" && c.ExpectedOutput is null);
        Assert.Contains(all, c => c.File.StartsWith("docs", StringComparison.Ordinal));
        Assert.All(all, c => Assert.True(ShellLine(c.Command).StartsWith("tts ", StringComparison.Ordinal), c.ToString()));
    }

    [Fact]
    public void A_transcript_matches_line_for_line_with_dots_for_any_lines_and_durations_masked()
    {
        var markdown = "```console runnable\n$ tts run a.tts \\\n    --samples 2\n[0] a\n...\n2 runs: 9 tokens in 1.25 s\n```\n";
        var command = Assert.Single(DocumentedCommand.Parse("x.md", markdown));
        Assert.Equal("tts run a.tts --samples 2", command.Command);
        Assert.Equal(2, command.Line);
        Assert.True(command.Matches(["[0] a", "[1] b", "2 runs: 9 tokens in 0.3 s"]));
        Assert.True(command.Matches(["[0] a", "2 runs: 9 tokens in 0.3 s"]));
        Assert.False(command.Matches(["[0] a", "[1] b"]));
        Assert.False(command.Matches(["[0] b", "2 runs: 9 tokens in 0.3 s"]));
        Assert.Empty(DocumentedCommand.Parse("x.md", "```sh\ntts run a.tts\n```\n"));
        var refuted = Assert.Single(DocumentedCommand.Parse("x.md", "```sh runnable\ntts test a.tts   # exits 1: refuted\n```\n"));
        Assert.Equal(("tts test a.tts", 1), (refuted.Command, refuted.ExitCode));
    }

    [Theory]
    [Trait("Category", TestCategories.Slow)]
    [MemberData(nameof(Commands))]
    public async Task Documented_command_runs_as_documented(string name)
    {
        var command = DocumentedCommand.All().Single(c => c.ToString() == name);
        var (exitCode, output) = await RunShell(ShellLine(command.Command));
        if (command.ExpectedOutput is null)
        {
            Assert.True(exitCode == command.ExitCode, $"{command} exited {exitCode}, not {command.ExitCode}:\n{output}");
            return;
        }

        var actual = output.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Assert.True(command.Matches(actual), $"{command}: the transcript says\n{string.Join('\n', command.ExpectedOutput)}\nbut the command printed\n{output}");
    }

    /// <summary>The parser drift check without Node.js fails in one line that says what to install (it ended silently).</summary>
    [Fact]
    public void The_parser_drift_check_without_node_fails_saying_what_to_install()
    {
        var bin = Directory.CreateTempSubdirectory("tts-no-node-").FullName;
        try
        {
            foreach (var tool in new[] { "dirname", "mktemp", "rm", "diff" })
            {
                var found = new[] { "/usr/bin", "/bin" }.Select(dir => Path.Combine(dir, tool)).First(File.Exists);
                File.CreateSymbolicLink(Path.Combine(bin, tool), found);
            }

            var start = new ProcessStartInfo("/bin/bash", [RepoPaths.Combine("scripts", "check-parser-drift.sh")])
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            };
            start.Environment["PATH"] = bin;
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("needs Node.js 18 or later with npm", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    /// <summary><c>dotnet run --project src/Cli --</c> is the built CLI: the test does not build it again.</summary>
    private static string ShellLine(string command)
    {
        const string DotnetRun = "dotnet run --project src/Cli -- ";
        return command.StartsWith(DotnetRun, StringComparison.Ordinal) ? "tts " + command[DotnetRun.Length..] : command;
    }

    private static async Task<(int ExitCode, string Output)> RunShell(string line)
    {
        var bin = Directory.CreateTempSubdirectory("tts-docs-").FullName;
        try
        {
            var tts = Path.Combine(bin, "tts");
            File.WriteAllText(tts, $"#!/bin/sh\nexec '{Path.Combine(AppContext.BaseDirectory, "tts")}' \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(tts, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var start = new ProcessStartInfo("/bin/bash", ["-c", line + " 2>&1"])
            {
                WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, UseShellExecute = false,
            };
            start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
            start.Environment["COLUMNS"] = "120";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{line}: still running after {Limit.TotalSeconds} s (documented commands must take seconds)");
            }

            return (process.ExitCode, await output);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }
}
