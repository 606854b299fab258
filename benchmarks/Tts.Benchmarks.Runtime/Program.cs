using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;

// Decode throughput against population size, prefix sharing and KV reorder cost for a randomly initialized
// ~100M-parameter Llama-style model on the CPU. Usage: dotnet run -c Release --project benchmarks/Tts.Benchmarks.Runtime
// [-- --steps S] ; prints one table whose ratios all come from this one run.
// `-- --dsl-overhead [R]`: the particle filter through the DSL against a hand-written loop (DslOverhead.cs).
if (args.Length >= 1 && args[0] == "--dsl-overhead")
{
    Tts.Benchmarks.Runtime.DslOverhead.Run(args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
    return;
}

var steps = args.Length == 2 && args[0] == "--steps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
const int promptLength = 256;
int[] populationSizes = [1, 4, 16, 64];

var config = new TransformerConfig
{
    VocabSize = 32000, HiddenSize = 768, IntermediateSize = 2048, LayerCount = 12, HeadCount = 12, KeyValueHeadCount = 12, HeadDim = 64,
    TieWordEmbeddings = true, MaxPositionEmbeddings = 2048, EosTokenId = 0, RmsNormEps = 1e-5,
};
var characters = Enumerable.Range(0, 95).Select(i => (char)(' ' + i));
using var model = TransformerModel.CreateRandom(
    config, HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], characters), seed: 1, new TransformerOptions { Device = DevicePreference.Cpu });

var random = new Random(7);
var prompt = Enumerable.Range(0, promptLength).Select(_ => random.Next(1, 96)).ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"model: {model.ParameterCount / 1e6:F1}M parameters (hidden {config.HiddenSize}, {config.LayerCount} layers, {config.HeadCount} heads, intermediate {config.IntermediateSize}, vocab {config.VocabSize}, tied), float32, {model.Device.type}"));
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}");
Console.WriteLine($"prompt {promptLength} tokens, {steps} timed decode steps per N after 2 warm-up steps");
Console.WriteLine();

// One decode step: the log-probs a sampler would read, then one token per row.
void Step(IDecodeState state, int step)
{
    using var scope = torch.NewDisposeScope();
    var logProbs = state.NextLogProbs();
    var tokens = torch.tensor(Enumerable.Range(0, state.Rows).Select(r => (long)(1 + (r * 31 + step * 7) % 95)).ToArray());
    _ = logProbs.sum().item<double>(); // reading the result, as sampling does, forces the step to finish
    state.Append(tokens);
}

double Seconds(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

IDecodeState Start(int rows) => model.Start([prompt], Enumerable.Repeat(0, rows).ToList());

// Prefill: the prompt runs once whatever N; N only changes the gather of the last logits and the suffix allocation.
// Two warm-up prefills (allocator and kernel warm-up), then N values interleaved so machine noise hits all alike.
for (var w = 0; w < 2; w++)
{
    Start(1).Dispose();
}

var prefillRuns = populationSizes.ToDictionary(n => n, _ => new List<double>());
for (var repeat = 0; repeat < 3; repeat++)
{
    foreach (var n in populationSizes)
    {
        IDecodeState? state = null;
        prefillRuns[n].Add(Seconds(() => state = Start(n)));
        state!.Dispose();
    }
}

var prefill = prefillRuns.ToDictionary(p => p.Key, p => Median(p.Value));

var stepSeconds = new Dictionary<int, double>();
double reorderSeconds = 0, stepAt64 = 0;
foreach (var n in populationSizes)
{
    using var state = Start(n);
    Step(state, 0);
    Step(state, 1);
    var perStep = new List<double>();
    for (var s = 0; s < steps; s++)
    {
        perStep.Add(Seconds(() => Step(state, 2 + s)));
    }

    stepSeconds[n] = Median(perStep);
    if (n == 64)
    {
        // Resample at N = 64 (multinomial-like ancestors with repeats), each followed by a decode step to time against.
        var reorders = new List<double>();
        var after = new List<double>();
        for (var r = 0; r < 5; r++)
        {
            using var ancestors = torch.tensor(Enumerable.Range(0, n).Select(_ => (long)random.Next(n)).ToArray());
            reorders.Add(Seconds(() => state.Reorder(ancestors)));
            after.Add(Seconds(() => Step(state, 100 + r)));
        }

        reorderSeconds = Median(reorders);
        stepAt64 = Median(after);
    }
}

string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

Console.WriteLine("| N | decode step (ms) | tokens/s | speed-up vs N=1 (tokens/s) | prefill 256 tokens (ms) |");
Console.WriteLine("|---:|---:|---:|---:|---:|");
foreach (var n in populationSizes)
{
    var tokensPerSecond = n / stepSeconds[n];
    Console.WriteLine($"| {n} | {F(stepSeconds[n] * 1000, "F1")} | {F(tokensPerSecond, "F1")} | {F(tokensPerSecond / (1 / stepSeconds[1]), "F2")} | {F(prefill[n] * 1000, "F1")} |");
}

Console.WriteLine();
var prefillRatio = prefill[64] / prefill[1];
var reorderShare = reorderSeconds / stepAt64;
Console.WriteLine($"| measure | value | target |");
Console.WriteLine($"|---|---:|---|");
Console.WriteLine($"| prefill N=64 / N=1 | {F(prefillRatio, "F3")} | < 1.2 {(prefillRatio < 1.2 ? "met" : "MISSED")} |");
Console.WriteLine($"| KV reorder at N=64 (ms) / decode step at N=64 (ms) | {F(reorderSeconds * 1000, "F2")} / {F(stepAt64 * 1000, "F1")} = {F(reorderShare * 100, "F2")}% | < 10% {(reorderShare < 0.10 ? "met" : "MISSED")} |");
Console.WriteLine($"| tokens processed by the network in this run | {model.TokensProcessed} | |");
