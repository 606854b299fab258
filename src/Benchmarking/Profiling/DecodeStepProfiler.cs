using System.Globalization;
using System.Text;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Sampling;

namespace Tts.Benchmarking.Profiling;

/// <summary>What <see cref="DecodeStepProfiler"/> measures.</summary>
public sealed record DecodeStepProfileSettings
{
    public IReadOnlyList<int> Rows { get; init; } = [1, 4, 16, 64];

    /// <summary>"shipped" (models/arith-policy), "llama-110m" (random, <see cref="BenchModels.Llama110M"/>), "tiny".</summary>
    public IReadOnlyList<string> Models { get; init; } = ["shipped", "llama-110m"];

    /// <summary>torch intra-op threads (0: leave TorchSharp's default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public int PromptLength { get; init; } = 32;

    /// <summary>Timed steps per round (after two warm-up steps).</summary>
    public int Steps { get; init; } = 8;

    /// <summary>Rounds, interleaved over every (model, N); each phase's median over all timed steps is reported.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Time the calling thread's CPU time instead of wall time (meaningful with one torch thread; see <see cref="StepProfile"/>).</summary>
    public bool ThreadCpuTime { get; init; }
}

/// <summary>One (model, N): the median step and the median time of each phase, in seconds, plus host bytes allocated per step.</summary>
/// <param name="TensorsPerStep">Tensor handles created per step (sampling and the network's step together): every op that returns a new tensor, views included; in-place ops that return their input are not counted.</param>
public sealed record DecodeStepProfile(string Model, int Rows, double StepSeconds, IReadOnlyList<KeyValuePair<string, double>> Phases, double HostBytesPerStep, double TensorsPerStep);

/// <summary>
/// Where one decode step of the TorchSharp runtime spends its time, as the population decoder runs it: next-token
/// log-probabilities, Gumbel-max sampling at temperature 1, tokens read back to the host, then the network's step
/// (embedding, per layer norm, q/k/v matmul, rotary, KV write, attention, output matmul, MLP; LM head), each phase
/// timed with a Stopwatch between synchronous CPU ops (<see cref="StepProfile"/>).
/// </summary>
public static class DecodeStepProfiler
{
    public static List<DecodeStepProfile> Run(DecodeStepProfileSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        if (settings.Threads > 0)
        {
            torch.set_num_threads(settings.Threads);
        }

        var models = settings.Models.Select(name => (Name: name, Model: BenchModels.ByName(name))).ToList();
        try
        {
            var samples = new Dictionary<(string, int), List<(double Step, Dictionary<string, double> Phases, long Bytes, long Tensors)>>();
            for (var repetition = 0; repetition < settings.Repetitions; repetition++)
            {
                foreach (var (name, model) in models)
                {
                    foreach (var rows in settings.Rows)
                    {
                        progress.WriteLine($"bench profile: round {repetition + 1}/{settings.Repetitions}: {name} at N = {rows}");
                        var key = (name, rows);
                        if (!samples.TryGetValue(key, out var list))
                        {
                            samples[key] = list = [];
                        }

                        list.AddRange(Profile(model, settings.PromptLength, rows, settings.Steps, repetition, settings.ThreadCpuTime));
                    }
                }
            }

            var phaseOrder = new List<string>();
            foreach (var phase in samples.Values.SelectMany(list => list).SelectMany(s => s.Phases.Keys))
            {
                if (!phaseOrder.Contains(phase))
                {
                    phaseOrder.Add(phase);
                }
            }

            return samples.Select(pair => new DecodeStepProfile(
                pair.Key.Item1,
                pair.Key.Item2,
                Timing.Median(pair.Value.Select(s => s.Step)),
                phaseOrder.Select(phase => new KeyValuePair<string, double>(phase, Timing.Median(pair.Value.Select(s => s.Phases.GetValueOrDefault(phase))))).ToList(),
                Timing.Median(pair.Value.Select(s => (double)s.Bytes)),
                Timing.Median(pair.Value.Select(s => (double)s.Tensors)))).ToList();
        }
        finally
        {
            models.ForEach(m => m.Model.Dispose());
        }
    }

    /// <summary>The profile as a Markdown table: a column per (model, N), a row per phase, in milliseconds.</summary>
    public static string Markdown(IReadOnlyList<DecodeStepProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        static string Ms(double seconds) => (seconds * 1000).ToString(seconds < 0.01 ? "F3" : "F1", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine("| phase (ms, median) | " + string.Join(" | ", profiles.Select(p => $"{p.Model} N={p.Rows}")) + " |");
        text.AppendLine("|---|" + string.Concat(profiles.Select(_ => "---:|")));
        text.AppendLine("| **whole step** | " + string.Join(" | ", profiles.Select(p => "**" + Ms(p.StepSeconds) + "**")) + " |");
        foreach (var phase in profiles[0].Phases.Select(p => p.Key))
        {
            text.AppendLine($"| {phase} | " + string.Join(" | ", profiles.Select(p => Ms(p.Phases.First(q => q.Key == phase).Value))) + " |");
        }

        text.AppendLine("| host bytes allocated per step (KB) | "
            + string.Join(" | ", profiles.Select(p => (p.HostBytesPerStep / 1024).ToString("F1", CultureInfo.InvariantCulture))) + " |");
        text.AppendLine("| tensor handles created per step | "
            + string.Join(" | ", profiles.Select(p => p.TensorsPerStep.ToString("F0", CultureInfo.InvariantCulture))) + " |");
        return text.ToString();
    }

    private static List<(double Step, Dictionary<string, double> Phases, long Bytes, long Tensors)> Profile(TransformerModel model, int promptLength, int rows, int steps, int seed, bool threadCpuTime)
    {
        var random = new Random(seed);
        var vocabulary = model.Vocabulary.Count;
        var eos = model.Vocabulary.EosId;
        var prompt = Enumerable.Range(0, promptLength).Select(_ => (eos + 1 + random.Next(vocabulary - 1)) % vocabulary).ToArray();
        var options = new SamplingOptions(Temperature: 1.0);
        var profile = new StepProfile(threadCpuTime);
        var results = new List<(double, Dictionary<string, double>, long, long)>();
        using var rowKeys = torch.tensor(Enumerable.Range(0, rows).Select(r => (long)(uint)(seed * 7919 + r)).ToArray());
        using var state = model.Start([prompt], new int[rows]);
        model.Network.Profile = profile;
        try
        {
            for (var step = 0; step < steps + 2; step++)
            {
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var tensors = TensorsCreated();
                var started = profile.Now();
                profile.Start();
                using (var scope = torch.NewDisposeScope())
                {
                    var logProbs = state.NextLogProbs();
                    profile.Mark("next-token log-softmax (float64)");
                    var tokens = TokenSampler.Sample(logProbs, options, rowKeys, step);
                    profile.Mark("sampling: transform + Gumbel-max (float64)");
                    var ids = tokens.data<long>().ToArray();
                    profile.Mark("host: read tokens");

                    // A sampled EOS would end its row; the profile keeps every row decoding (a token beside EOS instead).
                    for (var r = 0; r < rows; r++)
                    {
                        ids[r] = ids[r] == eos ? (eos + 1) % vocabulary : ids[r];
                    }

                    state.Append(torch.tensor(ids));
                }

                profile.Mark("host: dispose the step's tensors");
                var elapsed = profile.Now() - started;
                var phases = profile.Take().ToDictionary(p => p.Key, p => p.Value);
                if (step >= 2)
                {
                    results.Add((elapsed, phases, GC.GetAllocatedBytesForCurrentThread() - bytes, TensorsCreated() - tensors));
                }
            }
        }
        finally
        {
            model.Network.Profile = null;
        }

        return results;
    }

    /// <summary>Tensor handles created on this thread so far (TorchSharp's dispose-scope statistics).</summary>
    private static long TensorsCreated() =>
        DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
}
