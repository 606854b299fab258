using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tts.TestSupport;
using Xunit.Abstractions;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>
/// The fuzz suite of <c>tts check</c> and <c>tts fmt</c> (<see cref="FrontEndOracle"/> says what must hold): half the
/// inputs are grammar-aware random programs (<see cref="FuzzPrograms"/>), half byte mutations of the strategy library
/// (<see cref="LibraryMutations"/>). Budgeted by count, not time, with fixed seeds, so a CI run is deterministic:
/// <see cref="DefaultInputs"/> inputs in all. <c>TTS_FUZZ_INPUTS=1000000</c> runs the long suite, and
/// <c>TTS_FUZZ_SEED=N</c> moves every seed by N (fresh inputs; the failure message names the seed to replay), and
/// <c>TTS_FUZZ_PROGRESS=FILE</c> appends a line to FILE every <see cref="ProgressEvery"/> inputs (inputs done, failures,
/// seconds), so that a long run stopped early still says how far it got.
/// </summary>
[Trait("Category", TestCategories.Slow)]
public sealed class FrontEndFuzzTests(ITestOutputHelper log)
{
    /// <summary>Inputs per CI run, over both kinds.</summary>
    public const int DefaultInputs = 20_000;

    /// <summary>Inputs between two lines of <c>TTS_FUZZ_PROGRESS</c>.</summary>
    public const int ProgressEvery = 10_000;

    private const int ReportedFailures = 5;

    private static readonly Lock ProgressLock = new();

    private static int Inputs => Environment.GetEnvironmentVariable("TTS_FUZZ_INPUTS") is { Length: > 0 } value
        ? int.Parse(value, CultureInfo.InvariantCulture)
        : DefaultInputs;

    private static string? ProgressFile => Environment.GetEnvironmentVariable("TTS_FUZZ_PROGRESS") is { Length: > 0 } value ? value : null;

    private static int BaseSeed => Environment.GetEnvironmentVariable("TTS_FUZZ_SEED") is { Length: > 0 } value
        ? int.Parse(value, CultureInfo.InvariantCulture)
        : 0;

    [Fact]
    public void Generated_programs_never_break_check_or_fmt() =>
        Fuzz("generated programs", seed => new FuzzPrograms(seed).Next(), "new FuzzPrograms(seed).Next()");

    [Fact]
    public void Mutated_library_files_never_break_check_or_fmt() =>
        Fuzz("library mutations", LibraryMutations.Mutant, "LibraryMutations.Mutant(seed)");

    private void Fuzz(string kind, Func<int, string> input, string replay)
    {
        var count = Inputs / 2;
        var failures = new ConcurrentBag<(int Seed, string Text, string Violation)>();
        var lowered = 0;
        var done = 0;
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (index, state) =>
        {
            var seed = unchecked(BaseSeed + index);
            var text = input(seed);
            var (violation, wasLowered) = FrontEndOracle.Check(text);
            if (wasLowered)
            {
                Interlocked.Increment(ref lowered);
            }

            if (violation is not null)
            {
                failures.Add((seed, text, violation));
                if (ProgressFile is { } found)
                {
                    lock (ProgressLock)
                    {
                        File.AppendAllText(found, $"{DateTime.UtcNow:HH:mm:ss} {kind}: seed {seed} (replay: {replay}): {violation}\n");
                    }
                }

                if (failures.Count >= ReportedFailures)
                {
                    state.Stop();
                }
            }

            if (Interlocked.Increment(ref done) % ProgressEvery == 0 && ProgressFile is { } progress)
            {
                lock (ProgressLock)
                {
                    File.AppendAllText(progress, $"{DateTime.UtcNow:HH:mm:ss} {kind}: {done}/{count} inputs (seeds from {BaseSeed}), {failures.Count} failures, {stopwatch.Elapsed.TotalSeconds:0} s\n");
                }
            }
        });

        log.WriteLine($"{kind}: {count} inputs (seeds {BaseSeed}..{BaseSeed + count - 1}), {lowered} without errors (lowered, verified, formatted), in {stopwatch.Elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores");
        var first = failures.OrderBy(f => f.Seed).Take(ReportedFailures).ToList();
        Assert.True(
            first.Count == 0,
            string.Join(
                "\n\n",
                first.Select(f => $"seed {f.Seed} (replay: {replay}): {f.Violation}\n--- input\n{FrontEndOracle.Show(f.Text)}")));
    }
}
