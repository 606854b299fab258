using System.CommandLine;
using Spectre.Console;
using Tts.Benchmarking.Headline;
using Tts.Cli.Bench;
using Tts.Cli.Output;
using Tts.Runtime.Models.Transformer;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts bench [--preset standard|smoke] [--device cpu|cuda] [--threads T] [--repetitions R] [--json FILE]</c>: the headline performance table of
/// docs/performance.md, every ratio measured against its baseline in this one run (the work is in Tts.Benchmarking,
/// shared with the benchmark runner).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var preset = new Option<string>("--preset")
        {
            Description = "standard: the documented table (a few minutes on 2 cores); smoke: every row on a tiny random model in seconds",
            DefaultValueFactory = _ => HeadlineSettings.Standard.Name,
        };
        var device = new Option<string>("--device") { Description = "Where to measure: cpu, or cuda (fails when CUDA is absent)", DefaultValueFactory = _ => "cpu" };
        var repetitions = new Option<int?>("--repetitions") { Description = "Interleaved repetitions of each comparison (default: the preset's)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for torch (0: TorchSharp's default, one per core)" };
        var json = new Option<string?>("--json") { Description = "Also write the table, the machine and its measured ceilings as JSON to this file" };
        var command = new Command("bench", "Measure the headline performance table: DSL vs hand-written loops, batching, prefill sharing, resampling, roofline")
        {
            preset, device, repetitions, threads, json,
        };
        command.Subcommands.Add(BenchEnginesCommand.Create(output, error));
        command.Subcommands.Add(BenchProfileCommand.Create(output, error));
        command.SetAction(result =>
        {
            var presetName = result.GetValue(preset)!;
            var settings = HeadlineSettings.Presets.FirstOrDefault(p => p.Name == presetName)
                ?? throw new CliException($"unknown --preset '{presetName}': use {string.Join(" or ", HeadlineSettings.Presets.Select(p => p.Name))}");
            settings = settings with
            {
                Device = result.GetValue(device) switch
                {
                    "cpu" => DevicePreference.Cpu,
                    "cuda" => DevicePreference.Cuda,
                    var other => throw new CliException($"unknown --device '{other}': use cpu or cuda"),
                },
            };
            settings = result.GetValue(threads) is var threadCount and >= 0
                ? settings with { Threads = threadCount }
                : throw new CliException("--threads must be 0 (one per core) or more");
            if (result.GetValue(repetitions) is { } count)
            {
                settings = count >= 1 ? settings with { Repetitions = count } : throw new CliException("--repetitions must be at least 1");
            }

            using var claim = result.GetValue(json) is { } destination ? ClaimedFile.Claim(destination, $"--json {destination}") : null;
            var report = HeadlineBenchmark.Run(settings, ClosedOutputWriter.StoppingProgress(error, output));
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            if (!console.Profile.Capabilities.Interactive)
            {
                console.Profile.Width = 160; // redirected (a file, CI, a test): rows stay readable
            }

            HeadlineTable.Write(console, output, report);
            if (claim is not null)
            {
                claim.WriteAllText(report.ToJson());
                output.WriteLine($"wrote {claim.Path}");
            }

            return TtsCommandLine.Success;
        });
        return command;
    }
}
