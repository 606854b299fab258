using System.Collections.Immutable;
using Tts.Compiler.Driver;
using Tts.Compiler.Lowering;
using Tts.Compiler.Passes;
using Tts.Language.Diagnostics;
using Tts.Language.Text;
using Tts.Runtime.Execution;

namespace Tts.Execution;

/// <summary>
/// A compiled .tts file on its way to running: its diagnostics and, when it has no errors, its strategies ready to
/// select, bind and run (<see cref="CompiledStrategy"/>). The start of the one road from a file to a run.
/// </summary>
public sealed class StrategyProgram
{
    private StrategyProgram(Compilation compilation)
    {
        Compilation = compilation;
    }

    public Compilation Compilation { get; }

    public ImmutableArray<Diagnostic> Diagnostics => Compilation.Diagnostics;

    public bool HasErrors => Compilation.HasErrors;

    /// <summary>The strategies the file declares, in order.</summary>
    public IReadOnlyList<string> StrategyNames => Compilation.Bound.Strategies.Select(s => s.Symbol.Name).ToList();

    /// <summary>A compilation made elsewhere (the checker, tests), for running.</summary>
    public static StrategyProgram From(Compilation compilation) => new(compilation ?? throw new ArgumentNullException(nameof(compilation)));

    public static StrategyProgram Compile(SourceText source, OptimizationLevel level = OptimizationLevel.O1) =>
        new(Compilation.Compile(source, level));

    public static StrategyProgram Compile(string text, string path, OptimizationLevel level = OptimizationLevel.O1) =>
        Compile(SourceText.From(text, path), level);

    /// <summary>
    /// The strategy named <paramref name="name"/>, or the file's only strategy when the name is null.
    /// </summary>
    /// <exception cref="RuntimeException">The file has errors, no such strategy, several (and no name), or the strategy cannot be lowered yet.</exception>
    public CompiledStrategy Select(string? name = null)
    {
        if (HasErrors)
        {
            var first = Diagnostics.First(d => d.IsError);
            throw new RuntimeException($"{Compilation.Syntax.Source.Path} does not compile: {first.Id}: {first.Message}");
        }

        var strategies = Compilation.Bound.Strategies;
        var names = string.Join(", ", StrategyNames);
        var strategy = name is not null
            ? strategies.FirstOrDefault(s => s.Symbol.Name == name) ?? throw new RuntimeException($"no strategy '{name}' in this file (it has: {names})")
            : strategies.Length switch
            {
                0 => throw new RuntimeException("this file declares no strategy"),
                1 => strategies[0],
                _ => throw new RuntimeException($"this file has several strategies: choose one with --strategy ({names})"),
            };
        var module = Compilation.Optimized!;
        _ = module.Find(strategy.Symbol.Name)
                       ?? throw new RuntimeException($"strategy '{strategy.Symbol.Name}' checks, but cannot run yet: {Lowerer.Unsupported(strategy, Compilation.Bound)}");
        return CompiledStrategy.Of(module, strategy.Symbol.Name);
    }
}
