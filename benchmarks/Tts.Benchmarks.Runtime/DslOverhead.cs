using System.Globalization;
using Tts.Benchmarking;
using Tts.Benchmarking.Baselines;
using Tts.Benchmarking.Headline;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Runtime.Models.Transformer;

namespace Tts.Benchmarks.Runtime;

/// <summary>
/// DSL overhead on a 3.4M-parameter random Llama (the issue-5 measurement, kept for its history in
/// docs/performance.md): the particle filter through the compiler and executor against the hand-written loop of
/// Tts.Benchmarking, 4 runs × 16 particles, 6 steps of ≤ 16 tokens, interleaved; the ratio of median seconds per token.
/// </summary>
internal static class DslOverhead
{
    private const int Runs = 4;
    private const int Particles = 16;
    private const int Steps = 6;
    private const int MaxTokens = 16;

    public static void Run(int repetitions)
    {
        var config = new TransformerConfig
        {
            VocabSize = 97, HiddenSize = 256, IntermediateSize = 768, LayerCount = 4, HeadCount = 4, KeyValueHeadCount = 4, HeadDim = 64,
            TieWordEmbeddings = true, MaxPositionEmbeddings = 1024, EosTokenId = 0, RmsNormEps = 1e-5,
        };
        using var model = BenchModels.Random(config, DevicePreference.Cpu, seed: 3);
        var question = new string('q', 48);
        var reward = HeadlineBenchmark.Reward;
        var dsl = new DslStrategy(DslStrategy.ParticleFilterSource, OptimizationLevel.O1);
        var arguments = new Dictionary<string, object>
        {
            ["question"] = question, ["n"] = (long)Particles, ["steps"] = (long)Steps, ["max_tokens"] = (long)MaxTokens, ["temperature"] = 0.8,
        };

        (double Seconds, long Tokens) Dsl(int seed) => dsl.Run(model, reward, arguments, Runs, (ulong)seed) is var r ? (r.Seconds, r.Tokens) : default;
        (double Seconds, long Tokens) Hand(int seed) =>
            HandWrittenParticleFilter.Run(model, question, reward, Runs, Particles, Steps, MaxTokens, 0.8, seed) is var r ? (r.Seconds, r.Tokens) : default;

        Dsl(0);
        Hand(0);
        var dslRuns = new List<(double Seconds, long Tokens)>();
        var handRuns = new List<(double Seconds, long Tokens)>();
        for (var r = 1; r <= repetitions; r++)
        {
            dslRuns.Add(Dsl(r));
            handRuns.Add(Hand(r));
        }

        var dslPerToken = Timing.Median(dslRuns.Select(d => d.Seconds / d.Tokens));
        var handPerToken = Timing.Median(handRuns.Select(h => h.Seconds / h.Tokens));
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        Console.WriteLine($"particle filter, {Runs} runs x {Particles} particles, {Steps} steps of <= {MaxTokens} tokens, random Llama {F(model.ParameterCount / 1e6, "F1")}M params, CPU, {repetitions} interleaved repetitions; load average {HeadlineBenchmark.LoadAverage()}");
        Console.WriteLine("| loop | median s per run batch | median tokens | median us per token |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| DSL (tts -O1, IrExecutor) | {F(Timing.Median(dslRuns.Select(d => d.Seconds)), "F3")} | {F(Timing.Median(dslRuns.Select(d => (double)d.Tokens)), "F0")} | {F(dslPerToken * 1e6, "F1")} |");
        Console.WriteLine($"| hand-written TorchSharp loop | {F(Timing.Median(handRuns.Select(h => h.Seconds)), "F3")} | {F(Timing.Median(handRuns.Select(h => (double)h.Tokens)), "F0")} | {F(handPerToken * 1e6, "F1")} |");
        var ratio = dslPerToken / handPerToken;
        Console.WriteLine($"| DSL / hand-written (per token) | {F(ratio, "F3")} | | target <= {F(HeadlineBenchmark.DslOverheadTarget, "F2")}: {(ratio <= HeadlineBenchmark.DslOverheadTarget ? "met" : "MISSED")} |");
    }
}
