using Tts.Compiler.IR;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Rewards;

namespace Tts.Execution;

/// <summary>
/// One strategy of a compiled file, ready to run through the IR executor: its parameters (with defaults), what must be
/// bound, and <see cref="Run"/>, which goes through <see cref="StrategyRunner"/> like every other run.
/// </summary>
public sealed class CompiledStrategy
{
    private CompiledStrategy(IrFunction function, IrModule module)
    {
        Function = function;
        Module = module;
        Runnable = new RunnableStrategy(
            function.Name,
            function.Guarantee.LevelName,
            function.Parameters.Select(p => new StrategyParameter(p.Name, p.Type, p.DefaultValue)).ToList(),
            RequirementsFrom(IrRequirements.Of(function, module), out var particles),
            IrExecutor.Body(function, module),
            particles)
        {
            CapabilityNeeds = IrModelNeeds.Of(function, module).Select(n => new CapabilityNeed(n.Model, n.Needs, n.Statement, n.Why)).ToList(),
        };
    }

    public string Name => Function.Name;

    /// <summary>Strategy <paramref name="name"/> of a compiled module (its calls that were not inlined are looked up there).</summary>
    /// <exception cref="RuntimeException">The module has no such strategy.</exception>
    public static CompiledStrategy Of(IrModule module, string name)
    {
        ArgumentNullException.ThrowIfNull(module);
        var function = module.Find(name) ?? throw new RuntimeException($"no strategy '{name}' in this module (it has: {string.Join(", ", module.Functions.Select(f => f.Name))})");
        return new CompiledStrategy(function, module);
    }

    private static IReadOnlyList<StrategyRequirement> RequirementsFrom(IrRequirements requirements, out ParticleCounts particles)
    {
        particles = new ParticleCounts(requirements.ParticleConstant, requirements.ParticleParameters);
        return requirements.Models.Select(StrategyRequirement.Model)
            .Concat(requirements.Functions.Select(f => StrategyRequirement.Function(f.Kind, f.Name, f.ResultType)))
            .ToList();
    }

    /// <summary>Its IR at the level the file was compiled at.</summary>
    public IrFunction Function { get; }

    public IrModule Module { get; }

    /// <summary>The strategy as the runtime runs it.</summary>
    public RunnableStrategy Runnable { get; }

    public IReadOnlyList<StrategyParameter> Parameters => Runnable.Parameters;

    /// <summary>Every model, reward, verifier and extractor it uses, searched through every region and call.</summary>
    public IReadOnlyList<StrategyRequirement> Requirements => Runnable.Requirements;

    /// <summary>Typed arguments from text (<c>--set</c>), defaults filled in; unknown names and bad values are errors.</summary>
    public IReadOnlyDictionary<string, object> ParseArguments(IReadOnlyDictionary<string, string> given) =>
        StrategyArguments.Parse(Name, Parameters, given);

    /// <summary>Arguments with every default filled in and <paramref name="given"/> over them (typed values).</summary>
    public Dictionary<string, object> Arguments(IReadOnlyDictionary<string, object>? given = null)
    {
        var arguments = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var parameter in Parameters.Where(p => p.Default is not null))
        {
            arguments[parameter.Name] = parameter.Default!;
        }

        foreach (var (name, value) in given ?? new Dictionary<string, object>())
        {
            arguments[name] = value;
        }

        return arguments;
    }

    public IReadOnlyList<StrategyRequirement> Unbound(ModelBindings models, FunctionBindings functions) =>
        StrategyRunner.Unbound(Runnable, models, functions);

    /// <summary>Runs <c>options.Runs</c> runs in batches, yielding results as batches finish (see <see cref="StrategyRunner.Run"/>).</summary>
    public IEnumerable<RunResult> Run(
        IReadOnlyDictionary<string, object> arguments,
        ModelBindings models,
        FunctionBindings? functions = null,
        RunOptions? options = null,
        CancellationToken cancellation = default) =>
        StrategyRunner.Run(Runnable, arguments, models, functions ?? new FunctionBindings(), options ?? new RunOptions(), cancellation);
}
