using System.Collections.Concurrent;
using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Lowering;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Hosting;

/// <summary>
/// The one entry point the source generator's run methods call: compiles a .tts source (once per distinct source
/// text, then cached), selects a strategy and runs it with <see cref="IrExecutor"/>. A thin host on purpose: when
/// the compiler emits C# for strategies, generated code calls the emitted code instead and this class goes.
/// </summary>
public static class StrategyHost
{
    private static readonly ConcurrentDictionary<(string Path, string Source), Lazy<Compilation>> Compilations = new();

    /// <summary>
    /// Runs <paramref name="strategy"/> of the .tts <paramref name="source"/>: <c>options.Runs</c> independent runs
    /// batched together, run i keyed by (Seed, FirstRun + i), exactly as <c>tts run</c> runs them (same seed, same
    /// outputs). <paramref name="arguments"/> holds one value per parameter, by .tts name: string for text, long for
    /// int, double for real, bool for bool.
    /// </summary>
    /// <remarks>
    /// The work runs synchronously on one thread-pool thread (tensor scopes are per thread). Cancellation is checked
    /// before compiling and before every model step of the run.
    /// </remarks>
    /// <exception cref="RuntimeException">The source has errors, the strategy cannot run, or a run fails (e.g. a model is not bound).</exception>
    public static Task<IReadOnlyList<RunResult>> RunAsync(
        string source,
        string path,
        string strategy,
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings functions,
        RunOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        return Task.Run(
            () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var function = Find(source, path, strategy);
                CheckArguments(function, arguments);
                cancellationToken.ThrowIfCancellationRequested();
                return IrExecutor.Execute(function, arguments, models, functions, options, cancellation: cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>The lowered, optimized strategy; the source is compiled once per distinct (path, text).</summary>
    public static IrFunction Find(string source, string path, string strategy)
    {
        var compilation = Compilations.GetOrAdd((path, source), key => new Lazy<Compilation>(() => Compilation.Compile(SourceText.From(key.Source, key.Path)))).Value;
        if (compilation.HasErrors)
        {
            // The generator reports these at build time; reaching here means the source was not checked by it.
            var first = compilation.Diagnostics.First(d => d.IsError);
            throw new RuntimeException($"{path} does not compile: {first}");
        }

        var bound = compilation.Bound.FindStrategy(strategy)
                    ?? throw new RuntimeException($"{path} has no strategy '{strategy}' (it has: {string.Join(", ", compilation.Bound.Strategies.Select(s => s.Symbol.Name))})");
        return compilation.Optimized!.Find(strategy)
               ?? throw new RuntimeException($"strategy '{strategy}' checks, but cannot run yet: {Lowerer.Unsupported(bound)}");
    }

    private static void CheckArguments(IrFunction function, IReadOnlyDictionary<string, object> arguments)
    {
        foreach (var name in arguments.Keys.Where(name => function.Parameters.All(p => p.Name != name)))
        {
            throw new RuntimeException($"strategy '{function.Name}' has no parameter '{name}'");
        }

        foreach (var parameter in function.Parameters)
        {
            if (!arguments.TryGetValue(parameter.Name, out var value) || value is null)
            {
                throw new RuntimeException($"strategy '{function.Name}' needs a value for parameter '{parameter.Name}: {parameter.Type}'");
            }

            if (!Accepts(parameter, value))
            {
                throw new RuntimeException($"parameter '{parameter.Name}' is {parameter.Type}, but the value given is a {value.GetType().Name}");
            }
        }
    }

    private static bool Accepts(ParameterSymbol parameter, object value) => parameter.Type.Kind switch
    {
        TypeKind.Text => value is string,
        TypeKind.Int => value is long,
        TypeKind.Real => value is double d && !double.IsNaN(d),
        TypeKind.Bool => value is bool,
        _ => false,
    };
}
