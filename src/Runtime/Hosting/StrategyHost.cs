using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Hosting;

/// <summary>
/// The one entry point the source generator's run methods call: checks the arguments, then runs the strategy's
/// emitted C# (the compiler's C# back end, compiled into the consumer's assembly at build time) on one thread-pool
/// thread. No .tts is compiled and no IR is interpreted here; <c>tts run</c> interprets the same IR with
/// <see cref="IrExecutor"/>, and both back ends call the same <see cref="StrategyRuntime"/> operations.
/// </summary>
public static class StrategyHost
{
    /// <summary>
    /// Runs a strategy's emitted <c>Run_</c> method: <c>options.Runs</c> independent runs batched together, run i keyed
    /// by (Seed, FirstRun + i), exactly as <c>tts run</c> runs them (same seed, same outputs). <paramref name="arguments"/>
    /// holds one value per parameter, by .tts name: string for text, long for int, double for real, bool for bool.
    /// </summary>
    /// <remarks>
    /// The work runs synchronously on one thread-pool thread (tensor scopes are per thread). Cancellation is checked
    /// before the run starts and before every model step; the runtime (its populations) is disposed when it ends.
    /// </remarks>
    /// <exception cref="RuntimeException">An argument is missing or of the wrong type, or a run fails (e.g. a model is not bound, a budget is exceeded).</exception>
    public static Task<IReadOnlyList<RunResult>> RunAsync(
        string strategy,
        IReadOnlyList<StrategyParameter> parameters,
        Func<StrategyRuntime, IReadOnlyDictionary<string, object>, IReadOnlyList<RunResult>> run,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        return Task.Run(
            () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckArguments(strategy, parameters, arguments);
                using var runtime = StrategyRuntime.Create(models, functions, options, cancellationToken);
                return run(runtime, arguments);
            },
            cancellationToken);
    }

    /// <summary>
    /// The run method of a strategy the compiler cannot lower yet: it throws, when run, the message <c>tts run</c>
    /// gives. The generator uses it (and warns TTSG009 at build time) so the strategy keeps its typed API.
    /// </summary>
    public static Func<StrategyRuntime, IReadOnlyDictionary<string, object>, IReadOnlyList<RunResult>> CannotRun(string strategy, string reason) =>
        (_, _) => throw new RuntimeException($"strategy '{strategy}' checks, but cannot run yet: {reason}");

    private static void CheckArguments(string strategy, IReadOnlyList<StrategyParameter> parameters, IReadOnlyDictionary<string, object> arguments)
    {
        foreach (var name in arguments.Keys.Where(name => parameters.All(p => p.Name != name)))
        {
            throw new RuntimeException($"strategy '{strategy}' has no parameter '{name}'");
        }

        foreach (var parameter in parameters)
        {
            if (!arguments.TryGetValue(parameter.Name, out var value) || value is null)
            {
                throw new RuntimeException($"strategy '{strategy}' needs a value for parameter '{parameter.Name}: {parameter.Type}'");
            }

            if (!Accepts(parameter.Type, value))
            {
                throw new RuntimeException($"parameter '{parameter.Name}' is {parameter.Type}, but the value given is a {value.GetType().Name}");
            }
        }
    }

    private static bool Accepts(string type, object value) => type switch
    {
        "text" => value is string,
        "int" => value is long,
        "real" => value is double d && !double.IsNaN(d),
        "bool" => value is bool,
        _ => false,
    };
}
