using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Hosting;

/// <summary>
/// The one road every run takes, whoever asks (<c>tts run</c>, <c>eval</c>, <c>test</c>, the benchmarks, generated C#
/// classes, tests): check the arguments and that everything the strategy uses is bound, then run the runs in batches
/// sized by particles, one batch at a time on the calling thread (tensor scopes are per thread), checking
/// cancellation between batches and before every model step.
/// </summary>
public static class StrategyRunner
{
    /// <summary>What the strategy uses that is not bound, in the order it declares them.</summary>
    public static IReadOnlyList<StrategyRequirement> Unbound(RunnableStrategy strategy, ModelBindings models, FunctionBindings functions) =>
        strategy.Requirements
            .Where(r => r.Kind == BindingKind.Model ? !models.IsBound(r.Name) : !functions.IsBound(r.Name))
            .ToList();

    /// <summary>
    /// Runs <c>options.Runs</c> runs, yielding each batch's results as it finishes (run i keyed by Seed, FirstRun + i: the
    /// outputs do not depend on how runs are batched). Arguments hold one value per parameter, or one per run as a
    /// <see cref="PerRunArgument"/> with <c>options.Runs</c> values.
    /// </summary>
    /// <exception cref="RuntimeException">An argument is missing or of the wrong type, something used is not bound, or a run fails.</exception>
    public static IEnumerable<RunResult> Run(
        RunnableStrategy strategy,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        Check(strategy, arguments, models, functions, options);
        return Batches(strategy, arguments, models, functions, options, cancellation);
    }

    /// <summary><see cref="Run"/> on one thread-pool thread, all results at once.</summary>
    public static Task<IReadOnlyList<RunResult>> RunAsync(
        RunnableStrategy strategy,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellation = default) =>
        Task.Run<IReadOnlyList<RunResult>>(
            () =>
            {
                cancellation.ThrowIfCancellationRequested();
                return Run(strategy, arguments, models, functions, options, cancellation).ToList();
            },
            cancellation);

    /// <summary>The runtime's own memory per particle, whatever the models: its text, tokens, weights and bookkeeping.</summary>
    public const long RuntimeBytesPerParticle = 1024;

    /// <summary>
    /// Runs per batch: as many as fit <c>ParticlesPerBatch</c> particles and, with <paramref name="models"/>, the memory
    /// limit (<see cref="RunOptions.MemoryLimitBytes"/>) by <see cref="BytesPerParticle"/>, in host memory and on each
    /// CUDA device that holds a model's particles (its free memory); at least one.
    /// </summary>
    public static int RunsPerBatch(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, RunOptions options, ModelBindings? models = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(options);
        var particles = Math.Max(options.MinParticlesPerRun, strategy.ParticleCounts.PerRun(arguments));
        var byCount = options.ParticlesPerBatch / particles;
        var byMemory = models is null
            ? long.MaxValue
            : Shares(strategy, models)
                .Select(share => (share, limit: Limit(share.Device, options)))
                .Where(s => s.limit is not null)
                .Select(s => s.limit!.Value.Bytes / Math.Max(1, s.share.PerParticle * particles))
                .DefaultIfEmpty(long.MaxValue)
                .Min();
        return (int)Math.Clamp(Math.Min(byCount, byMemory), 1, Math.Max(1, options.Runs));
    }

    /// <summary>The estimated memory of one particle of this strategy: the runtime's share and every model's it uses.</summary>
    public static long BytesPerParticle(RunnableStrategy strategy, ModelBindings models)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(models);
        return RuntimeBytesPerParticle + UsedModels(strategy, models).Sum(m => m.Model.BytesPerParticle);
    }

    private static IEnumerable<(string Name, ILanguageModel Model)> UsedModels(RunnableStrategy strategy, ModelBindings models) =>
        strategy.Requirements
            .Where(r => r.Kind == BindingKind.Model && models.IsBound(r.Name))
            .Select(r => (r.Name, models.Resolve(r.Name)));

    /// <summary>
    /// Where one particle's memory goes: host memory (<c>Device</c> null: the runtime's share and every model on the
    /// host) and each CUDA device holding a model's particles, with the models that make up each share.
    /// </summary>
    private static List<(int? Device, long PerParticle, string Parts)> Shares(RunnableStrategy strategy, ModelBindings models)
    {
        var used = UsedModels(strategy, models).ToList();
        static string Parts(IEnumerable<(string Name, ILanguageModel Model)> share) =>
            string.Join(", ", share.Select(m => $"model '{m.Name}' {MemorySize.Format(m.Model.BytesPerParticle)}"));
        var host = used.Where(m => m.Model.CudaDevice is null).ToList();
        return used
            .Where(m => m.Model.CudaDevice is not null)
            .GroupBy(m => m.Model.CudaDevice!.Value)
            .Select(device => ((int?)device.Key, device.Sum(m => m.Model.BytesPerParticle), Parts(device)))
            .Prepend((null, RuntimeBytesPerParticle + host.Sum(m => m.Model.BytesPerParticle),
                string.Join(", ", new[] { Parts(host), $"the runtime {MemorySize.Format(RuntimeBytesPerParticle)}" }.Where(p => p.Length > 0))))
            .ToList();
    }

    /// <summary>How a user sets the memory limit, as messages name it.</summary>
    private const string SetLimit = "--memory-limit, or RunOptions.MemoryLimitBytes in code";

    /// <summary>
    /// The limit of one memory and where it comes from: the host's is <see cref="RunOptions.MemoryLimitBytes"/> or the
    /// memory available; a CUDA device's is its free memory, capped by <see cref="RunOptions.MemoryLimitBytes"/>; null
    /// when the device cannot be asked (no driver) and no limit is set.
    /// </summary>
    private static (long Bytes, string Source)? Limit(int? device, RunOptions options)
    {
        if (device is not { } ordinal)
        {
            return options.MemoryLimitBytes is { } set
                ? (set, SetLimit)
                : (RunOptions.AvailableMemoryBytes, $"the memory available to this process; set a limit with {SetLimit}");
        }

        var free = options.DeviceMemory(ordinal);
        if (free is { } info && (options.MemoryLimitBytes is not { } cap || info.FreeBytes <= cap))
        {
            return (info.FreeBytes, $"the free memory of CUDA device {ordinal}: {MemorySize.Format(info.FreeBytes)} of {MemorySize.Format(info.TotalBytes)}");
        }

        return options.MemoryLimitBytes is { } limit ? (limit, SetLimit) : null;
    }

    /// <summary>Refuses, before anything is computed, a run whose particles alone need more than a memory's limit.</summary>
    private static void CheckMemory(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, RunOptions options)
    {
        var particles = Math.Max(options.MinParticlesPerRun, strategy.ParticleCounts.PerRun(arguments));
        if (particles > StrategyRuntime.MaxParticlesPerRun)
        {
            return; // Refused by count where the population is made, with a message that names its n.
        }

        foreach (var (device, perParticle, parts) in Shares(strategy, models))
        {
            if (Limit(device, options) is not ({ } limit, { } source))
            {
                continue; // a device that cannot be asked, and no limit set
            }

            var needed = particles > long.MaxValue / perParticle ? long.MaxValue : particles * perParticle;
            if (needed > limit)
            {
                var where = device is null ? "" : $" on CUDA device {device}";
                throw new RuntimeException(
                    $"strategy '{strategy.Name}': one run holds {particles} particles, which need about {MemorySize.Format(needed)}{where} "
                    + $"({MemorySize.Format(perParticle)} each: {parts}), above the memory limit of {MemorySize.Format(limit)} ({source}); "
                    + $"at most {Math.Max(0, limit / perParticle)} particles fit: use fewer particles");
            }
        }
    }

    private static void Check(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options)
    {
        if (options.Runs < 1)
        {
            throw new RuntimeException($"the number of runs must be at least 1, but it is {options.Runs}");
        }

        if (options.ParticlesPerBatch < 1)
        {
            throw new RuntimeException($"particles per batch must be at least 1, but it is {options.ParticlesPerBatch}");
        }

        StrategyArguments.Check(strategy.Name, strategy.Parameters, arguments);
        foreach (var (name, value) in arguments)
        {
            if (value is PerRunArgument perRun && perRun.Values.Count != options.Runs)
            {
                throw new RuntimeException($"parameter '{name}' has {perRun.Values.Count} per-run values for {options.Runs} runs");
            }
        }

        var unbound = Unbound(strategy, models, functions);
        if (unbound.Count > 0)
        {
            throw new RuntimeException($"strategy '{strategy.Name}': {string.Join(", ", unbound)} {(unbound.Count == 1 ? "is" : "are")} not bound");
        }

        if (CapabilityCheck.FirstMismatch(strategy, models) is { } mismatch)
        {
            throw new RuntimeException(mismatch);
        }

        CheckMemory(strategy, arguments, models, options);
    }

    private static IEnumerable<RunResult> Batches(
        RunnableStrategy strategy,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellation)
    {
        var perBatch = RunsPerBatch(strategy, arguments, options, models);
        for (var first = 0; first < options.Runs; first += perBatch)
        {
            cancellation.ThrowIfCancellationRequested();
            var runs = Math.Min(perBatch, options.Runs - first);
            var batch = options with { Runs = runs, FirstRun = options.FirstRun + first };
            IReadOnlyList<RunResult> results;
            using (var runtime = StrategyRuntime.Create(models, functions, batch, cancellation))
            {
                results = strategy.Body(runtime, Slice(arguments, first, runs));
            }

            foreach (var result in results)
            {
                yield return result;
            }

            options.Progress?.Report(runs);
        }
    }

    /// <summary>The arguments of runs [first, first + count): per-run values sliced, the others shared.</summary>
    private static IReadOnlyDictionary<string, object> Slice(IReadOnlyDictionary<string, object> arguments, int first, int count) =>
        arguments.Any(a => a.Value is PerRunArgument)
            ? arguments.ToDictionary(
                a => a.Key,
                a => a.Value is PerRunArgument perRun ? new PerRunArgument(perRun.Values.Skip(first).Take(count).ToList()) : a.Value,
                StringComparer.Ordinal)
            : arguments;
}
