using Tts.Execution;
using Tts.Language.Binding.BoundTree;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Rewards;

namespace Tts.Cli.Binding;

/// <summary>
/// The models and functions of one command, loaded from <c>--model</c> and <c>--bind</c> and checked against what the
/// file declares; disposing it frees every model it loaded.
/// </summary>
internal sealed class LoadedBindings : IDisposable
{
    private readonly List<IDisposable> _owned = new();

    private LoadedBindings()
    {
    }

    public ModelBindings Models { get; } = new();

    public FunctionBindings Functions { get; private set; } = new();

    /// <param name="models">Model specs (<c>--model</c> values, or a command's defaults).</param>
    /// <param name="binds">Function specs (<c>--bind</c> values).</param>
    /// <param name="program">The file's declarations.</param>
    /// <param name="context">What a reward model needs (device, prompts).</param>
    public static LoadedBindings Load(IEnumerable<ModelSpec> models, IReadOnlyList<string> binds, BoundProgram program, RewardModelContext context)
    {
        var loaded = new LoadedBindings();
        try
        {
            var specs = models.ToList();
            foreach (var duplicate in specs.GroupBy(s => s.Name).Where(g => g.Count() > 1))
            {
                throw new CliException($"model '{duplicate.Key}' is bound twice");
            }

            foreach (var spec in specs)
            {
                CheckDeclared(spec, program);
                var model = spec.Load(context.Device, context.MemoryLimit);
                loaded._owned.Add(model);
                loaded.Models.Bind(spec.Name, model);
            }

            loaded.Functions = FunctionSpec.Bind(binds, program, context, loaded._owned);
            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>Fails, in one line naming each flag to add, unless everything <paramref name="strategy"/> uses is bound.</summary>
    public void RequireAll(CompiledStrategy strategy)
    {
        var unbound = strategy.Unbound(Models, Functions);
        if (unbound.Count > 0)
        {
            throw new CliException(string.Join("; ", unbound.Select(Hint)));
        }
    }

    public void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        _owned.Clear();
    }

    /// <summary>The flag that binds <paramref name="requirement"/>, as one clause of an error line.</summary>
    public static string Hint(StrategyRequirement requirement) => requirement.Kind switch
    {
        BindingKind.Model => $"model '{requirement.Name}' is not bound: bind it with --model {requirement.Name}=tabular:PATH, --model {requirement.Name}=transformer:DIR, --model {requirement.Name}=gguf:FILE or --model {requirement.Name}=openai:URL?tokenizer=PATH",
        BindingKind.Reward => $"reward '{requirement.Name}' is not bound: bind it with --bind {requirement.Name}=EXPR (an expression over `text`) or --bind {requirement.Name}={FunctionSpec.RewardModelKind}:DIR",
        _ => $"{requirement.Kind.ToString().ToLowerInvariant()} '{requirement.Name}' is not bound: bind it with --bind {requirement.Name}=EXPR (an expression over `text`)",
    };

    private static void CheckDeclared(ModelSpec spec, BoundProgram program)
    {
        if (program.Models.Any(m => m.Name == spec.Name))
        {
            return;
        }

        var function = program.Functions.FirstOrDefault(f => f.Name == spec.Name);
        var hint = function is null
            ? $"it declares: {string.Join(", ", program.Models.Select(m => m.Name))}"
            : $"'{spec.Name}' is a {function.Kind.ToString().ToLowerInvariant()}: bind it with --bind {spec.Name}=" +
              (function.Kind == Semantics.FunctionKind.Reward
                  ? $"{FunctionSpec.RewardModelKind}:{(spec.Kind == "transformer" ? spec.Path : "DIR")} or --bind {spec.Name}=EXPR"
                  : "EXPR");
        throw new CliException($"--model {spec.Name}=...: the file declares no model '{spec.Name}' ({hint})");
    }
}
