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

    /// <summary>Runs per batch: as many as fit <c>ParticlesPerBatch</c> particles, at least one.</summary>
    public static int RunsPerBatch(RunnableStrategy strategy, IReadOnlyDictionary<string, object> arguments, RunOptions options)
    {
        var particles = Math.Max(options.MinParticlesPerRun, strategy.ParticleCounts.PerRun(arguments));
        return (int)Math.Clamp(options.ParticlesPerBatch / particles, 1, Math.Max(1, options.Runs));
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
    }

    private static IEnumerable<RunResult> Batches(
        RunnableStrategy strategy,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellation)
    {
        var perBatch = RunsPerBatch(strategy, arguments, options);
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
