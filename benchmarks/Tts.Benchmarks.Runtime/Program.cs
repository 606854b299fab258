using System.Globalization;
using TorchSharp;
using Tts.Benchmarking;
using Tts.Benchmarking.Headline;
using Tts.Benchmarking.Scaling;
using Tts.Benchmarks.Runtime;
using Tts.Runtime.Models.Transformer;

// The end-to-end runner. Usage (from the repository root; every number in a table comes from the one run that printed it):
//   dotnet run -c Release --project benchmarks/Tts.Benchmarks.Runtime -- headline [--preset standard|smoke] [--device cpu|cuda] [--threads T]
//   dotnet run -c Release --project benchmarks/Tts.Benchmarks.Runtime -- scaling [--device cpu|cuda] [--threads T] [--steps S] [--plot FILE.png] [--quick]
//   dotnet run -c Release --project benchmarks/Tts.Benchmarks.Runtime -- dsl-overhead [REPETITIONS]
var mode = args.Length > 0 ? args[0] : "";
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var device = Option("--device") switch
{
    null or "cpu" => DevicePreference.Cpu,
    "cuda" => DevicePreference.Cuda,
    var other => throw new ArgumentException($"unknown --device '{other}': use cpu or cuda"),
};
if (Option("--threads") is { } threads)
{
    torch.set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
}

if (device == DevicePreference.Cuda && !torch.cuda.is_available())
{
    Console.Error.WriteLine("--device cuda: torch.cuda.is_available() is false (no CUDA device, or the CPU-only libtorch package)");
    return 2;
}

switch (mode)
{
    case "headline":
        var settings = HeadlineSettings.ByName(Option("--preset") ?? HeadlineSettings.Standard.Name) with { Device = device };
        Markdown.Headline(Console.Out, HeadlineBenchmark.Run(settings, Console.Error));
        return 0;
    case "scaling":
        Scaling(device, int.Parse(Option("--steps") ?? "4", CultureInfo.InvariantCulture), Option("--plot"), args.Contains("--quick"));
        return 0;
    case "dsl-overhead" or "--dsl-overhead": // the second spelling: the command of the issue-5 run in docs/performance.md
        DslOverhead.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
        return 0;
    default:
        Console.Error.WriteLine("usage: Tts.Benchmarks.Runtime headline|scaling|dsl-overhead [options] (see docs/performance.md)");
        return 2;
}

// Scaling curves for the shipped model and the random 109.5M model: against N at a fixed prompt, against the prompt
// length at N = 16, memory per particle; --quick takes fewer points (a check that it runs, not a measurement).
static void Scaling(DevicePreference device, int steps, string? plotPath, bool quick)
{
    var torchDevice = device == DevicePreference.Cuda ? torch.CUDA : torch.CPU;
    var rates = quick ? MachineRates.Measure(torchDevice, 256, 16L << 20, 2) : MachineRates.Measure(torchDevice, 2048, 256L << 20, 5);
    Console.WriteLine($"device {torchDevice.type}, {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}; load average {HeadlineBenchmark.LoadAverage()}");
    Console.WriteLine($"measured ceilings: {rates}");
    Console.WriteLine($"{steps} timed steps per point after 2 warm-up steps (median)");
    Console.WriteLine();
    int[] rows = quick ? [1, 16] : [1, 4, 16, 64, 256];
    var curves = new List<(string, IReadOnlyList<ScalingPoint>)>();

    using (var shipped = BenchModels.Shipped(device))
    {
        Curves(shipped, $"{BenchModels.ShippedPolicyDirectory} ({shipped.ParameterCount / 1e6:F2}M parameters)", "arith-policy", 64,
            quick ? [32, 128] : [32, 64, 128, 192, 240]);
    }

    using (var random = BenchModels.Random(BenchModels.Llama110M, device))
    {
        Curves(random, $"random Llama ({random.ParameterCount / 1e6:F1}M parameters)", "random 109.5M", 256,
            quick ? [64, 256] : [64, 128, 256, 512, 1024]);
    }

    Console.WriteLine($"load average after: {HeadlineBenchmark.LoadAverage()}");
    if (plotPath is not null)
    {
        ScalingPlot.Save(plotPath, curves);
        Console.WriteLine($"wrote {plotPath}");
    }

    // Against N at one prompt length, against the context at N = 16, and the KV memory per particle, for one model.
    void Curves(TransformerModel model, string name, string label, int prompt, int[] contexts)
    {
        var againstRows = ScalingBenchmark.AgainstRows(model, rates, rows, prompt, steps);
        Markdown.Curve(Console.Out, $"{name}: against N, prompt {prompt}", againstRows);
        Markdown.Curve(Console.Out, $"{name}: against context, N = 16", ScalingBenchmark.AgainstContext(model, rates, 16, contexts, steps));
        Markdown.Memory(Console.Out, name, againstRows);
        curves.Add((label, againstRows));
    }
}
