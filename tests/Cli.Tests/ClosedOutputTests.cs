using System.Diagnostics;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Issue 17: `tts run ... | head -1` kept computing every run after its reader had gone (.NET ignores SIGPIPE and
/// drops EPIPE on console writes). The run now stops within a poll interval of the reader closing, exits 141 (as a
/// process killed by SIGPIPE) and writes nothing to stderr.
/// </summary>
public sealed class ClosedOutputTests
{
    [LinuxFact]
    [Trait("Category", TestCategories.Slow)]
    public void A_run_whose_reader_closes_its_output_stops_computing()
    {
        // A million runs take over a minute here; the first batch's lines arrive within seconds.
        var tts = Path.Combine(AppContext.BaseDirectory, "tts");
        var model = $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}";
        var start = new ProcessStartInfo("bash", ["-c", "\"$0\" run \"$1\" --model \"$2\" --samples 1048576 | head -1; exit ${PIPESTATUS[0]}",
            tts, RepoPaths.Combine("examples", "strategies", "sampling.tts"), model])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExit(TimeSpan.FromSeconds(40));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.True(exited, $"still computing {clock.Elapsed.TotalSeconds:F0} s after its reader closed the pipe");
        Assert.Equal(141, process.ExitCode);
        Assert.Single(output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", error.Result);
    }
}
