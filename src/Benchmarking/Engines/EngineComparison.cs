using System.Globalization;
using System.Text;
using TorchSharp;
using Tts.Compiler.Passes;
using Tts.Engines.Gguf.Engine;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Transformer;

namespace Tts.Benchmarking.Engines;

/// <summary>What <see cref="EngineComparison"/> measures.</summary>
public sealed record EngineComparisonSettings
{
    public IReadOnlyList<int> Rows { get; init; } = [1, 4, 16, 64, 256];

    /// <summary>The models: "shipped" (models/arith-policy), "llama-110m" (random, <see cref="BenchModels.Llama110M"/>), "tiny".</summary>
    public IReadOnlyList<string> Models { get; init; } = ["shipped", "llama-110m"];

    public int Threads { get; init; } = Environment.ProcessorCount;

    public int PromptLength { get; init; } = 32;

    /// <summary>Timed decode steps per measurement (after two warm-up steps); the median is kept.</summary>
    public int Steps { get; init; } = 5;

    /// <summary>Interleaved repetitions of each (model, N) triple; the median over repetitions is reported.</summary>
    public int Repetitions { get; init; } = 2;

    public int BestOfN { get; init; } = 16;

    public int BestOfNMaxTokens { get; init; } = 32;
}

/// <summary>
/// One model at one N: a decode step on each engine, the ratios to llama.cpp driven by hand, and the roofline floor
/// (<see cref="DecodeStepCost"/> on this machine's measured rates) with the ceiling it comes from.
/// </summary>
public sealed record EngineStepRow(string Model, int Rows, double TorchSeconds, double GgufEngineSeconds, double LlamaCppSeconds, double FloorSeconds, RooflineBound Bound);

/// <summary>Best-of-N: the DSL on the gguf engine against the same strategy written by hand over LLamaSharp.</summary>
public sealed record EngineDslRow(string Model, int N, double DslSecondsPerToken, double HandSecondsPerToken);

/// <summary>
/// The same weights on two engines in one run: each model is exported to GGUF f32 and decoded by our TorchSharp
/// runtime, by the gguf engine (our IDecodeState over llama.cpp: logits to float64 log-probabilities) and by a loop
/// written directly on LLamaSharp, at each N; then best-of-N through the DSL on the gguf engine against the
/// hand-written LLamaSharp loop. llama.cpp runs with its defaults (f16 KV cache, flash attention on CPU).
/// </summary>
public static class EngineComparison
{
    public static (List<EngineStepRow> Steps, List<EngineDslRow> Dsl) Run(EngineComparisonSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        torch.set_num_threads(settings.Threads);
        progress.WriteLine("bench engines: measuring this machine's matmul rate and memory bandwidth (the roofline)");
        var rates = MachineRates.Measure(torch.CPU, matmulSize: 1024, streamBytes: 256L << 20, repetitions: 3);
        progress.WriteLine($"bench engines: {rates}");
        var steps = new List<EngineStepRow>();
        var dsl = new List<EngineDslRow>();
        var folder = Directory.CreateTempSubdirectory("tts-bench-engines-").FullName;
        try
        {
            foreach (var name in settings.Models)
            {
                progress.WriteLine($"bench engines: {name}: exporting to GGUF f32");
                using var torchModel = BenchModels.ByName(name);
                var directory = Path.Combine(folder, name);
                torchModel.Save(directory, SafetensorsDType.F32);
                var ggufPath = Path.Combine(folder, name + ".gguf");
                LlamaGgufExporter.Export(directory, ggufPath, GgufTensorType.F32);
                Directory.Delete(directory, recursive: true);

                var maxRows = settings.Rows.Max();
                var cells = settings.PromptLength + maxRows * (settings.Steps + 4 + settings.BestOfNMaxTokens) + 256;
                using var gguf = GgufModel.Load(ggufPath, new GgufOptions { Threads = settings.Threads, Sequences = Math.Min(maxRows, 256), ContextTokens = cells });
                using var hand = new LlamaCppHandLoop(ggufPath, settings.Threads, Math.Min(maxRows, 256), cells);
                var random = new Random(3);
                var prompt = Enumerable.Range(0, settings.PromptLength).Select(_ => 1 + random.Next(torchModel.Vocabulary.Count - 1)).ToArray();
                foreach (var rows in settings.Rows)
                {
                    progress.WriteLine($"bench engines: {name}: decode step at N = {rows}");
                    var (t, g, l) = (new List<double>(), new List<double>(), new List<double>());
                    for (var repetition = 0; repetition < settings.Repetitions; repetition++)
                    {
                        t.Add(EngineStepTimer.StepSeconds(torchModel, prompt, rows, settings.Steps, seed: repetition));
                        g.Add(EngineStepTimer.StepSeconds(gguf, prompt, rows, settings.Steps, seed: repetition));
                        l.Add(hand.StepSeconds(prompt, rows, settings.Steps, torchModel.Vocabulary.EosId, seed: repetition));
                    }

                    // The timed steps see the prompt plus 2 warm-up steps plus, on average, half the timed ones.
                    var cost = DecodeStepCost.Of(torchModel.Config, rows, settings.PromptLength, 2 + settings.Steps / 2);
                    steps.Add(new EngineStepRow(name, rows, Timing.Median(t), Timing.Median(g), Timing.Median(l), cost.FloorSeconds(rates), cost.Bound(rates)));
                }

                progress.WriteLine($"bench engines: {name}: best-of-{settings.BestOfN}, DSL on gguf against a hand-written LLamaSharp loop");
                var strategy = new DslStrategy(DslStrategy.BestOfNSource, OptimizationLevel.O1);
                var question = name == "shipped" ? "Q: 37+48*2-15=?\n" : "Once upon a time";
                var arguments = new Dictionary<string, object> { ["question"] = question, ["n"] = (long)settings.BestOfN, ["max_tokens"] = (long)settings.BestOfNMaxTokens, ["temperature"] = 1.0 };
                var (d, h) = (new List<double>(), new List<double>());
                for (var repetition = 0; repetition < settings.Repetitions + 1; repetition++)
                {
                    var run = strategy.Run(gguf, Headline.HeadlineBenchmark.Reward, arguments, 1, (ulong)repetition);
                    d.Add(run.Seconds / run.Tokens);
                    var (seconds, tokens) = hand.BestOfN(gguf.Vocabulary, gguf.Encode(question), Headline.HeadlineBenchmark.Reward, settings.BestOfN, settings.BestOfNMaxTokens, repetition);
                    h.Add(seconds / tokens);
                }

                dsl.Add(new EngineDslRow(name, settings.BestOfN, Timing.Median(d), Timing.Median(h)));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return (steps, dsl);
    }

    /// <summary>The tables as Markdown: step times in milliseconds and each engine's time over llama.cpp's.</summary>
    public static string Markdown(List<EngineStepRow> steps, List<EngineDslRow> dsl)
    {
        static string Ms(double seconds) => (seconds * 1000).ToString(seconds < 0.01 ? "F2" : "F1", CultureInfo.InvariantCulture);
        static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine("| model | N | TorchSharp runtime (ms/step) | gguf engine (ms/step) | llama.cpp by hand (ms/step) | TorchSharp / llama.cpp | gguf engine / llama.cpp | floor (ms) | TorchSharp / floor |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in steps)
        {
            var bound = row.Bound == RooflineBound.Compute ? "compute" : "memory";
            text.AppendLine($"| {row.Model} | {row.Rows} | {Ms(row.TorchSeconds)} | {Ms(row.GgufEngineSeconds)} | {Ms(row.LlamaCppSeconds)} | {Ratio(row.TorchSeconds / row.LlamaCppSeconds)} | "
                            + $"{Ratio(row.GgufEngineSeconds / row.LlamaCppSeconds)} | {Ms(row.FloorSeconds)} ({bound}) | {Ratio(row.TorchSeconds / row.FloorSeconds)} |");
        }

        text.AppendLine();
        text.AppendLine("| model | best-of-N | DSL on gguf (ms/token) | hand-written LLamaSharp loop (ms/token) | DSL / hand-written |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in dsl)
        {
            text.AppendLine($"| {row.Model} | {row.N} | {Ms(row.DslSecondsPerToken)} | {Ms(row.HandSecondsPerToken)} | {Ratio(row.DslSecondsPerToken / row.HandSecondsPerToken)} |");
        }

        return text.ToString();
    }
}
