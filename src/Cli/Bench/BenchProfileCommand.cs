using System.CommandLine;
using Tts.Benchmarking.Headline;
using Tts.Benchmarking.Profiling;
using Tts.Cli.Output;

namespace Tts.Cli.Bench;

/// <summary>
/// <c>tts bench profile [--models shipped,llama-110m] [--rows 1,4,16,64] [--threads T] [--steps S] [--repetitions R] [--out FILE.md]</c>:
/// where one decode step of the TorchSharp runtime spends its time, phase by phase (docs/performance.md).
/// </summary>
internal static class BenchProfileCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var models = BenchEnginesCommand.ModelsOption();
        var rows = BenchEnginesCommand.RowsOption("1,4,16,64");
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads (0: TorchSharp's default)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var steps = new Option<int>("--steps") { Description = "Timed decode steps per round", DefaultValueFactory = _ => 8 };
        var repetitions = new Option<int>("--repetitions") { Description = "Interleaved rounds over every (model, N)", DefaultValueFactory = _ => 3 };
        var clock = new Option<string>("--clock") { Description = "wall, or cpu: the calling thread's CPU time (with --threads 1, robust on a loaded machine)", DefaultValueFactory = _ => "wall" };
        var outFile = new Option<string?>("--out") { Description = "Also write the table as Markdown to this file" };
        var command = new Command("profile", "Time each phase of one decode step of the TorchSharp runtime (matmuls, attention, KV writes, sampling, host work)")
        {
            models, rows, threads, steps, repetitions, clock, outFile,
        };
        command.SetAction(result =>
        {
            var settings = new DecodeStepProfileSettings
            {
                Models = BenchEnginesCommand.Models(result.GetValue(models)!),
                Rows = BenchEnginesCommand.Positive(result.GetValue(rows)!, "--rows"),
                Threads = result.GetValue(threads) is var t and >= 0 ? t : throw new CliException("--threads must be 0 (TorchSharp's default) or more"),
                Steps = result.GetValue(steps) is var s and >= 1 ? s : throw new CliException("--steps must be at least 1"),
                Repetitions = result.GetValue(repetitions) is var r and >= 1 ? r : throw new CliException("--repetitions must be at least 1"),
                ThreadCpuTime = result.GetValue(clock) switch
                {
                    "wall" => false,
                    "cpu" => true,
                    var other => throw new CliException($"unknown --clock '{other}': use wall or cpu"),
                },
            };
            using var claim = BenchEnginesCommand.ClaimOut(result.GetValue(outFile));
            var started = DateTime.Now;
            var profiles = DecodeStepProfiler.Run(settings, ClosedOutputWriter.StoppingProgress(error, output));
            var table = DecodeStepProfiler.Markdown(profiles)
                        + $"\n{Environment.ProcessorCount} cores, {(settings.Threads == 0 ? "default" : settings.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture))} torch threads, "
                        + $"{(settings.ThreadCpuTime ? "thread CPU time" : "wall time")}, {settings.Repetitions} interleaved rounds of {settings.Steps} steps, load average {HeadlineBenchmark.LoadAverage()} at the end, {(DateTime.Now - started).TotalSeconds:F0} s.\n";
            BenchEnginesCommand.Emit(output, table, claim);

            return TtsCommandLine.Success;
        });
        return command;
    }
}
