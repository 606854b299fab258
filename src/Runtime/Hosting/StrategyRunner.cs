using Tts.Runtime.Execution;
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
    /// limit (<see cref="RunOptions.MemoryLimitBytes"/>) by <see cref="BytesPerParticle"/>; at least one.
    /// </summary>
    public static int RunsPerBatch(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, RunOptions options, ModelBindings? models = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(options);
        var particles = Math.Max(options.MinParticlesPerRun, strategy.ParticleCounts.PerRun(arguments));
        var byCount = options.ParticlesPerBatch / particles;
        var byMemory = models is null ? long.MaxValue : MemoryLimit(options) / Math.Max(1, BytesPerParticle(strategy, models) * particles);
        return (int)Math.Clamp(Math.Min(byCount, byMemory), 1, Math.Max(1, options.Runs));
    }

    /// <summary>The estimated memory of one particle of this strategy: the runtime's share and every model's it uses.</summary>
    public static long BytesPerParticle(RunnableStrategy strategy, ModelBindings models)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(models);
        return RuntimeBytesPerParticle + strategy.Requirements
            .Where(r => r.Kind == BindingKind.Model && models.IsBound(r.Name))
            .Sum(r => models.Resolve(r.Name).BytesPerParticle);
    }

    private static long MemoryLimit(RunOptions options) => options.MemoryLimitBytes ?? RunOptions.AvailableMemoryBytes;

    /// <summary>Refuses, before anything is computed, a run whose particles alone need more than the memory limit.</summary>
    private static void CheckMemory(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, RunOptions options)
    {
        var particles = Math.Max(options.MinParticlesPerRun, strategy.ParticleCounts.PerRun(arguments));
        if (particles > StrategyRuntime.MaxParticlesPerRun)
        {
            return; // Refused by count where the population is made, with a message that names its n.
        }

        var perParticle = BytesPerParticle(strategy, models);
        var limit = MemoryLimit(options);
        var needed = particles > long.MaxValue / perParticle ? long.MaxValue : particles * perParticle;
        if (needed > limit)
        {
            var source = options.MemoryLimitBytes is null
                ? "the memory available to this process; set a limit with --memory-limit, or RunOptions.MemoryLimitBytes in code"
                : "--memory-limit, or RunOptions.MemoryLimitBytes in code";
            throw new RuntimeException(
                $"strategy '{strategy.Name}': one run holds {particles} particles, which need about {MemorySize.Format(needed)} "
                + $"({MemorySize.Format(perParticle)} each: {ModelShares(strategy, models)}), above the memory limit of {MemorySize.Format(limit)} ({source}); "
                + $"at most {Math.Max(0, limit / perParticle)} particles fit: use fewer particles");
        }
    }

    private static string ModelShares(RunnableStrategy strategy, ModelBindings models) =>
        string.Join(", ", strategy.Requirements
            .Where(r => r.Kind == BindingKind.Model && models.IsBound(r.Name))
            .Select(r => $"model '{r.Name}' {MemorySize.Format(models.Resolve(r.Name).BytesPerParticle)}")
            .Append($"the runtime {MemorySize.Format(RuntimeBytesPerParticle)}"));

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
