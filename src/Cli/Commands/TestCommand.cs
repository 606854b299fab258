using System.CommandLine;
using System.Globalization;
using Tts.Cli.Binding;
using Tts.Cli.Output;
using Tts.Execution;
using Tts.Language.Binding.Guarantees;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Testing.Checking;
using Tts.Testing.Oracle;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts test FILE.tts [--strategy NAME] --model NAME=tabular:PATH ... [--runs K] [--set P=V] [--bind F=EXPR]
/// [--claim exact|consistent|heuristic] [--alpha A] [--seed S] [--memory-limit SIZE]</c>: checks each strategy's claim (its inferred guarantee, or
/// the one given by --claim) against the exact oracle on small tabular models, and the runtime's outputs against the
/// oracle's law. Exit 0 when every claim is consistent with the evidence, 1 when one is refuted.
/// </summary>
internal static class TestCommand
{
    private const int Refuted = 1;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .tts file" };
        var strategy = new Option<string?>("--strategy") { Description = "The strategy to test (default: every strategy of the file)" };
        var shared = new StrategyOptions();
        var models = shared.Models;
        models.Description = "Bind a declared model to a small tabular model: NAME=tabular:PATH (repeatable)";
        var sets = shared.Sets;
        var binds = shared.Binds;
        var runs = new Option<int>("--runs") { Description = "Independent runs of the executor compared with the oracle", DefaultValueFactory = _ => 20_000 };
        var seed = shared.Seed;
        var memoryLimit = shared.MemoryLimit;
        var alpha = new Option<double>("--alpha") { Description = "False-failure rate of the whole command, split over the strategies tested", DefaultValueFactory = _ => 1e-6 };
        var deviation = new Option<double?>("--smallest-deviation") { Description = "Refuse to run unless the runs catch every deviation of this total variation, in any direction, with power 1 - 1e-3" };
        var tolerance = new Option<double>("--tolerance") { Description = "Chi distance sqrt(sum (q-p)^2/p) from the target a consistent strategy may keep at its particle count (at least 2 x its TV; 0.2 admits a relative error of 20% RMS per outcome)", DefaultValueFactory = _ => 0.2 };
        var claim = new Option<string?>("--claim") { Description = "Test this claim instead of the inferred guarantee: exact, consistent or heuristic" };
        claim.AcceptOnlyFromAmong("exact", "consistent", "heuristic");

        var command = new Command("test", "Check strategies against their guarantees with the exact oracle on small tabular models")
        {
            file, strategy, models, sets, binds, runs, seed, alpha, deviation, tolerance, claim, memoryLimit,
        };
        command.SetAction(result => Test(
            result.GetValue(file)!,
            result.GetValue(strategy),
            result.GetValue(models) ?? [],
            result.GetValue(sets) ?? [],
            result.GetValue(binds) ?? [],
            new CheckSettings(
                result.GetValue(runs),
                result.GetValue(seed),
                result.GetValue(alpha),
                SmallestDeviation: result.GetValue(deviation),
                Claim: result.GetValue(claim) switch { "exact" => Guarantee.Exact, "consistent" => Guarantee.Consistent, "heuristic" => Guarantee.Heuristic, _ => null },
                Tolerance: result.GetValue(tolerance),
                MemoryLimit: shared.ReadMemoryLimit(result),
                Cancellation: ClosedOutputWriter.ClosedOf(output)),
            output,
            error));
        return command;
    }

    private static int Test(string path, string? strategyName, string[] modelSpecs, string[] sets, string[] binds, CheckSettings settings, TextWriter output, TextWriter error)
    {
        if (settings.Runs < 1)
        {
            throw new CliException($"--runs must be at least 1, but it is {settings.Runs}");
        }

        if (!(settings.Alpha > 0 && settings.Alpha < 1))
        {
            throw new CliException($"--alpha must be in (0, 1), but it is {settings.Alpha.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (settings.SmallestDeviation is { } smallest && !(smallest > 0 && smallest <= 1))
        {
            throw new CliException($"--smallest-deviation must be in (0, 1], but it is {smallest.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (!(settings.Tolerance >= 0 && settings.Tolerance <= 2))
        {
            throw new CliException($"--tolerance (a χ distance) must be in [0, 2], but it is {settings.Tolerance.ToString("R", CultureInfo.InvariantCulture)}");
        }

        var compilation = SourceLoader.Compile(path);
        DiagnosticFormatter.WriteAll(error, DiagnosticFormatter.Relevant(compilation, strategyName), compilation.Syntax.Source);
        if (compilation.HasErrors)
        {
            return TtsCommandLine.CompileErrors;
        }

        var strategies = strategyName is null
            ? compilation.Bound.Strategies.ToList()
            : [compilation.Bound.FindStrategy(strategyName) ?? throw new CliException($"no strategy '{strategyName}' in this file (it has: {string.Join(", ", compilation.Bound.Strategies.Select(s => s.Symbol.Name))})")];
        var models = LoadModels(modelSpecs, compilation.Bound.Models.Select(m => m.Name).ToList());
        using var owned = new LoadedBindingsOwner();
        var functions = FunctionSpec.Bind(binds, compilation.Bound, new RewardModelContext(Runtime.Models.Transformer.DevicePreference.Cpu, null), owned.Items);
        var settingsByName = SettingSpec.Parse(sets);
        var perStrategy = settings with { Alpha = settings.Alpha / Math.Max(1, strategies.Count) };

        var refuted = false;
        var failedRun = false;
        foreach (var strategy in strategies)
        {
            var given = settingsByName
                .Where(s => strategyName is not null || strategy.Symbol.Parameters.Any(p => p.Name == s.Key))
                .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            var arguments = Runtime.Hosting.StrategyArguments.Parse(
                strategy.Symbol.Name, strategy.Symbol.Parameters.Select(p => new Runtime.Hosting.StrategyParameter(p.Name, p.Type, p.DefaultValue)).ToList(), given);
            var unbound = compilation.Bound.Functions.Where(f => !functions.IsBound(f.Name) && Uses(strategy, f.Name)).Select(f => f.Name).ToList();
            if (unbound.Count > 0)
            {
                output.WriteLine($"strategy {strategy.Symbol.Name}: not checked: bind {string.Join(", ", unbound.Select(n => $"--bind {n}=EXPR"))}");
                continue;
            }

            try
            {
                var verdict = StrategyChecker.Check(compilation, strategy.Symbol.Name, models, functions, arguments, perStrategy);
                output.Write(verdict.Format());
                refuted |= verdict.Refuted;
            }
            catch (UnderpoweredCheckException e)
            {
                throw new CliException($"strategy {strategy.Symbol.Name}: --smallest-deviation: {e.Message}");
            }
            catch (OracleException e)
            {
                output.WriteLine($"strategy {strategy.Symbol.Name}: not checked: {e.Message}");
            }
            catch (Exception e) when (e is RuntimeException or Runtime.Models.ModelException or Engines.Remote.RemoteException)
            {
                // A run error of one strategy (e.g. a prompt the small model cannot tokenize) does not hide the others' verdicts.
                output.WriteLine($"strategy {strategy.Symbol.Name}: not checked: the run failed: {e.Message}");
                failedRun = true;
            }
        }

        return refuted ? Refuted : failedRun ? TtsCommandLine.RunError : TtsCommandLine.Success;
    }

    private static bool Uses(Language.Binding.BoundTree.BoundStrategy strategy, string function) =>
        strategy.Body
            .SelectMany(Language.Binding.BoundTree.BoundTreeWalker.Statements)
            .SelectMany(Language.Binding.BoundTree.BoundTreeWalker.Expressions)
            .OfType<Language.Binding.BoundTree.BoundFunctionCall>()
            .Any(c => c.Function.Name == function);

    private static Dictionary<string, TabularModel> LoadModels(string[] specs, IReadOnlyList<string> declared)
    {
        var models = new Dictionary<string, TabularModel>(StringComparer.Ordinal);
        foreach (var spec in specs.Select(ModelSpec.Parse))
        {
            if (spec.Kind != "tabular")
            {
                throw new CliException($"--model {spec.Name}={spec.Kind}:...: tts test needs tabular models, whose laws it can enumerate");
            }

            if (!declared.Contains(spec.Name))
            {
                throw new CliException($"--model {spec.Name}=...: the file declares no model '{spec.Name}' (it declares: {string.Join(", ", declared)})");
            }

            if (!File.Exists(spec.Path))
            {
                throw new CliException($"model '{spec.Name}': file not found: {spec.Path}");
            }

            if (!models.TryAdd(spec.Name, TabularModel.Load(spec.Path)))
            {
                throw new CliException($"model '{spec.Name}' is bound twice");
            }
        }

        return models;
    }

    /// <summary>Reward models a <c>--bind NAME=reward-model:DIR</c> loaded, disposed with the command.</summary>
    private sealed class LoadedBindingsOwner : IDisposable
    {
        public List<IDisposable> Items { get; } = new();

        public void Dispose() => Items.ForEach(item => item.Dispose());
    }
}
