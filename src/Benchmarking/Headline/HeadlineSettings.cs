using Tts.Runtime.Models.Transformer;

namespace Tts.Benchmarking.Headline;

/// <summary>Which model the strategy-level rows of the headline run on.</summary>
public enum StrategyModelKind
{
    /// <summary>models/arith-policy, the trained model the project ships.</summary>
    Shipped,

    /// <summary><see cref="BenchModels.LlamaTiny"/> with random weights: no files needed (smoke runs, tests).</summary>
    RandomTiny,
}

/// <summary>
/// The sizes of one headline run. <see cref="Standard"/> is the documented table (a few minutes on 2 cores);
/// <see cref="Smoke"/> runs every row in seconds on a tiny random model, to keep the command working (tests).
/// </summary>
public sealed record HeadlineSettings
{
    public required string Name { get; init; }

    public DevicePreference Device { get; init; } = DevicePreference.Cpu;

    /// <summary>
    /// CPU threads torch uses (0: TorchSharp's default, one per core). Worth trying 1 on a machine shared with other
    /// jobs: torch's parallel regions wait for their slowest thread, and a descheduled thread stalls them all.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>Interleaved repetitions of each DSL / baseline pair; medians are reported.</summary>
    public required int Repetitions { get; init; }

    public required StrategyModelKind StrategyModel { get; init; }

    /// <summary>Best-of-N: particles (also the N of batched vs sequential and of prefill sharing) and tokens per sample.</summary>
    public required int BestOfN { get; init; }

    public required int BestOfNMaxTokens { get; init; }

    /// <summary>Characters of the shared prompt of the prefill-sharing row (joined arithmetic problems).</summary>
    public required int LongPromptCharacters { get; init; }

    /// <summary>Particle filter: runs batched together, particles per run, steps, tokens per step.</summary>
    public required int FilterRuns { get; init; }

    public required int FilterParticles { get; init; }

    public required int FilterSteps { get; init; }

    public required int FilterMaxTokens { get; init; }

    /// <summary>The decode-step roofline model and its prompt length, rows (N = 1 and this), timed steps.</summary>
    public required TransformerConfig DecodeModel { get; init; }

    public required string DecodeModelName { get; init; }

    public required int DecodePromptLength { get; init; }

    public required int DecodeRows { get; init; }

    public required int DecodeSteps { get; init; }

    /// <summary>Roofline probes: matmul side, streamed bytes, repetitions (best taken).</summary>
    public required int MatmulSize { get; init; }

    public required long StreamBytes { get; init; }

    public required int RateRepetitions { get; init; }

    public static HeadlineSettings Standard { get; } = new()
    {
        Name = "standard",
        Repetitions = 5,
        StrategyModel = StrategyModelKind.Shipped,
        BestOfN = 64,
        BestOfNMaxTokens = 32,
        LongPromptCharacters = 180,
        FilterRuns = 4,
        FilterParticles = 16,
        FilterSteps = 6,
        FilterMaxTokens = 16,
        DecodeModel = BenchModels.Llama110M,
        DecodeModelName = "random Llama 109.5M",
        DecodePromptLength = 256,
        DecodeRows = 64,
        DecodeSteps = 6,
        MatmulSize = 2048,
        StreamBytes = 256L << 20,
        RateRepetitions = 5,
    };

    public static HeadlineSettings Smoke { get; } = new()
    {
        Name = "smoke",
        Repetitions = 1,
        StrategyModel = StrategyModelKind.RandomTiny,
        BestOfN = 8,
        BestOfNMaxTokens = 4,
        LongPromptCharacters = 60,
        FilterRuns = 2,
        FilterParticles = 4,
        FilterSteps = 2,
        FilterMaxTokens = 4,
        DecodeModel = BenchModels.LlamaTiny,
        DecodeModelName = "random Llama tiny",
        DecodePromptLength = 16,
        DecodeRows = 8,
        DecodeSteps = 2,
        MatmulSize = 128,
        StreamBytes = 1L << 20,
        RateRepetitions = 1,
    };

    public static IReadOnlyList<HeadlineSettings> Presets { get; } = [Standard, Smoke];

    public static HeadlineSettings ByName(string name) =>
        Presets.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}': use {string.Join(" or ", Presets.Select(p => p.Name))}", nameof(name));
}
