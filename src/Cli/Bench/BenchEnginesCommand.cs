using System.CommandLine;
using System.Globalization;
using Tts.Benchmarking.Engines;
using Tts.Benchmarking.Headline;
using Tts.Cli.Output;

namespace Tts.Cli.Bench;

/// <summary>
/// <c>tts bench engines [--models shipped,llama-110m] [--rows 1,4,16,64,256] [--threads T] [--steps S] [--repetitions R] [--out FILE.md]</c>:
/// the same weights on our TorchSharp runtime, on the gguf engine and on llama.cpp driven by hand, in one run; then
/// best-of-N through the DSL on gguf against a hand-written LLamaSharp loop (docs/performance.md).
/// </summary>
internal static class BenchEnginesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var models = ModelsOption();
        var rows = RowsOption("1,4,16,64,256");
        var threads = new Option<int>("--threads") { Description = "CPU threads of both engines", DefaultValueFactory = _ => Environment.ProcessorCount };
        var steps = new Option<int>("--steps") { Description = "Timed decode steps per measurement (median kept)", DefaultValueFactory = _ => 5 };
        var repetitions = new Option<int>("--repetitions") { Description = "Interleaved repetitions of each measurement (median kept)", DefaultValueFactory = _ => 2 };
        var outFile = new Option<string?>("--out") { Description = "Also write the tables as Markdown to this file" };
        var command = new Command("engines", "Decode step time of the TorchSharp runtime, the gguf engine and llama.cpp by hand on the same weights")
        {
            models, rows, threads, steps, repetitions, outFile,
        };
        command.SetAction(result =>
        {
            var settings = new EngineComparisonSettings
            {
                Models = Models(result.GetValue(models)!),
                Rows = Positive(result.GetValue(rows)!, "--rows"),
                Threads = result.GetValue(threads) is var t and >= 1 ? t : throw new CliException("--threads must be at least 1"),
                Steps = result.GetValue(steps) is var s and >= 1 ? s : throw new CliException("--steps must be at least 1"),
                Repetitions = result.GetValue(repetitions) is var r and >= 1 ? r : throw new CliException("--repetitions must be at least 1"),
            };
            using var claim = ClaimOut(result.GetValue(outFile));
            var started = DateTime.Now;
            var (stepRows, dslRows) = EngineComparison.Run(settings, ClosedOutputWriter.StoppingProgress(error, output));
            Emit(output, EngineComparison.Markdown(stepRows, dslRows)
                         + $"\n{Environment.ProcessorCount} cores, {settings.Threads} threads per engine, load average {HeadlineBenchmark.LoadAverage()} at the end, {(DateTime.Now - started).TotalSeconds:F0} s.\n",
                claim);

            return TtsCommandLine.Success;
        });
        return command;
    }

    /// <summary>--models, shared by the bench subcommands that load the bench models.</summary>
    internal static Option<string> ModelsOption() =>
        new("--models") { Description = "shipped, llama-110m and/or tiny, comma-separated", DefaultValueFactory = _ => "shipped,llama-110m" };

    internal static Option<string> RowsOption(string defaults) =>
        new("--rows") { Description = "Decode batch sizes N, comma-separated", DefaultValueFactory = _ => defaults };

    internal static IReadOnlyList<string> Models(string text)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Length > 0 && names.All(m => m is "shipped" or "llama-110m" or "tiny")
            ? names
            : throw new CliException($"--models {text}: use shipped, llama-110m and/or tiny");
    }

    /// <summary>Claims <c>--out</c> before any compute (never overwritten; see <see cref="ClaimedFile"/>).</summary>
    internal static ClaimedFile? ClaimOut(string? path) => path is null ? null : ClaimedFile.Claim(path, $"--out {path}");

    /// <summary>Prints a Markdown table, and writes it to the claimed <c>--out</c> when there is one.</summary>
    internal static void Emit(TextWriter output, string table, ClaimedFile? claim)
    {
        output.Write(table);
        if (claim is not null)
        {
            claim.WriteAllText(table);
            output.WriteLine($"wrote {claim.Path}");
        }
    }

    internal static int[] Positive(string text, string option)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new CliException($"{option} {text}: each value must be a positive integer"))
            .ToArray();
        return values.Length > 0 ? values : throw new CliException($"{option}: give at least one value");
    }
}
