using Tts.Cli.Binding;
using Tts.Compiler.Driver;
using Tts.Engines.Remote;
using Tts.Execution;
using Tts.Language.Binding.BoundTree;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts check --model ...</c>: what a strategy's guarantee means on the bound models. In process and with client-side
/// sampling the runtime draws from full distributions, so the inferred guarantee holds for the model's (served) law;
/// with server-side sampling it holds only for the law the server samples from; a statement the models cannot serve is
/// the capability check's error, shown here instead of at run time.
/// </summary>
internal sealed class BoundModelGuarantees : IDisposable
{
    private readonly List<(ModelSpec Spec, ILanguageModel Model)> _models = [];
    private readonly ModelBindings _bindings = new();

    private BoundModelGuarantees()
    {
    }

    /// <summary>Opens the bound models (a remote one reads only its tokenizer: no request is sent).</summary>
    public static BoundModelGuarantees Open(IReadOnlyList<string> specs, IReadOnlyList<string> declared)
    {
        var result = new BoundModelGuarantees();
        try
        {
            foreach (var spec in specs.Select(ModelSpec.Parse))
            {
                if (!declared.Contains(spec.Name))
                {
                    throw new CliException($"--model {spec.Name}=...: the file declares no model '{spec.Name}' (it declares: {string.Join(", ", declared)})");
                }

                var model = spec.Load(DevicePreference.Cpu);
                result._models.Add((spec, model));
                result._bindings.Bind(spec.Name, model);
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    public bool Any => _models.Count > 0;

    /// <summary>One line per bound model the strategy calls, then the capability check's verdict; nothing for a strategy that cannot run yet.</summary>
    public IEnumerable<string> Lines(Compilation compilation, BoundStrategy strategy)
    {
        var compiled = CompiledStrategy.Of(compilation.Optimized!, strategy.Symbol.Name);
        var level = strategy.Guarantee.LevelName;
        var called = compiled.Requirements.Where(r => r.Kind == BindingKind.Model).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (spec, model) in _models.Where(m => called.Contains(m.Spec.Name)))
        {
            yield return $"  on {spec.Name}:{new string(' ', Math.Max(1, 8 - spec.Name.Length))}{Meaning(level, model)}";
        }

        if (CapabilityCheck.FirstMismatch(compiled.Runnable, _bindings) is { } mismatch)
        {
            yield return $"  refused:   {mismatch}";
        }
    }

    /// <summary>The guarantee on one model, in words.</summary>
    public static string Meaning(string level, ILanguageModel model) => model switch
    {
        RemoteLanguageModel { SamplesOnServer: true } => $"{level}, only for the law the server samples from (openai, server-side sampling: its own temperature, top-k/p, min-p and precision)",
        RemoteLanguageModel => $"{level}, for the served model's law (openai, client-side sampling from full next-token distributions)",
        _ => $"{level} (in process)",
    };

    public void Dispose()
    {
        foreach (var (_, model) in _models)
        {
            model.Dispose();
        }
    }
}
