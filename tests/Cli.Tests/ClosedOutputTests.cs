using System.Diagnostics;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// Issue 17: `tts run ... | head -1` kept computing every run after its reader had gone (.NET ignores SIGPIPE and
/// drops EPIPE on console writes). The run now stops within a poll interval of the reader closing, exits 141 (as a
/// process killed by SIGPIPE) and writes nothing to stderr; so does every other command that streams results, through
/// the one writer the command line hands them (ClosedOutputWriter).
/// </summary>
public sealed class ClosedOutputTests : IDisposable
{
    private static readonly string Abc = $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}";

    private readonly TempFolder _folder = new("tts-closed-");

    public void Dispose() => _folder.Dispose();

    /// <summary>Each command with its arguments, in a folder of its own: every one writes more than one line of results.</summary>
    public static TheoryData<string> StreamingCommands() => new() { "run", "eval", "test", "tune" };

    private string[] Arguments(string command)
    {
        var coin = _folder.Write("coin.json", """
            {"format": "tts-tabular-lm/1", "vocab": ["1", "2", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 4,
             "probs": {"": [0.5, 0.5, 0], "1": [0, 0, 1], "2": [0, 0, 1]}}
            """);
        var task = _folder.Write("task.jsonl", string.Concat(Enumerable.Repeat("{\"prompt\": \"\", \"answer\": \"1\"}\n", 40)));
        var reject = _folder.Write("reject.tts", """
            model policy: lm
            verifier valid

            strategy reject(question: text, tries: int = 1) -> text {
                population drafts = sample policy(question, n: tries, temperature: 1.0, max_tokens: 4)
                return first(drafts, where: valid(drafts), otherwise: "")
            }
            """);
        var three = _folder.Write("three.tts", string.Concat(Enumerable.Range(0, 3).Select(i => $$"""
            strategy s{{i}}(q: text = "") -> text {
                population xs = sample policy(q, max_tokens: 2)
                return sample(xs)
            }

            """)).Insert(0, "model policy: lm\n"));
        return command switch
        {
            "run" => ["run", RepoPaths.Combine("examples", "strategies", "sampling.tts"), "--model", Abc, "--samples", "200", "--format", "jsonl"],
            "eval" => ["eval", reject, "--task", task, "--model", "policy=tabular:" + coin, "--bind", "valid=contains(text, \"1\")", "--budgets", "1,2,4", "--out", _folder.Combine("eval")],
            "test" => ["test", three, "--model", Abc, "--runs", "2000"],
            "tune" => ["tune", reject, "--task", task, "--model", "policy=tabular:" + coin, "--bind", "valid=contains(text, \"1\")", "--dev", "20", "--held-out", "20",
                "--range", "tries=1,8", "--out", _folder.Combine("tune")],
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
    }

    [Theory]
    [MemberData(nameof(StreamingCommands))]
    public void Every_command_that_streams_results_stops_once_its_reader_has_gone(string command)
    {
        using var closed = new CancellationTokenSource();
        var output = new ReaderLeavingAfterFirstLine(closed);
        var error = new StringWriter();

        var code = TtsCommandLine.Run(Arguments(command), output, error, closed.Token);

        Assert.True(closed.IsCancellationRequested, $"{command} wrote no line: {error}");
        Assert.True(code == TtsCommandLine.OutputClosed, $"{command} exited {code} after its reader had gone:\n{output}\n{error}");
        Assert.Equal(0, output.WritesAfterLeaving);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void A_benchmark_whose_reader_has_gone_measures_nothing()
    {
        using var closed = new CancellationTokenSource();
        closed.Cancel();
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();

        var code = TtsCommandLine.Run(
            ["bench", "profile", "--models", "tiny", "--rows", "1,3", "--steps", "1", "--repetitions", "1", "--threads", "1", "--clock", "cpu"], output, error, closed.Token);

        Assert.True(code == TtsCommandLine.OutputClosed, $"bench profile exited {code}:\n{output}\n{error}");
        Assert.Equal("", output.ToString());
        Assert.Equal("", error.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"stopped only after {clock.Elapsed}");
    }

    /// <summary>An output whose reader goes away once it has read one line; counts what is written after that.</summary>
    private sealed class ReaderLeavingAfterFirstLine(CancellationTokenSource leave) : StringWriter
    {
        public int WritesAfterLeaving { get; private set; }

        public override void Write(char value) => Record(value.ToString());

        public override void Write(string? value) => Record(value);

        public override void Write(char[] buffer, int index, int count) => Record(new string(buffer, index, count));

        public override void WriteLine(string? value) => Record(value + NewLine);

        private void Record(string? value)
        {
            if (leave.IsCancellationRequested)
            {
                WritesAfterLeaving++;
            }

            base.Write(value);
            if (value?.Contains('\n', StringComparison.Ordinal) == true)
            {
                leave.Cancel();
            }
        }
    }
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
