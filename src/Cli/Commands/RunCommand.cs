using Tts.Compiler.Driver;
using Tts.Compiler.Lowering;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tts.Cli.Output;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts run FILE.tts [--strategy NAME] --model NAME=tabular:PATH|NAME=transformer:DIR [--set P=V]... [--prompt TEXT]
/// [--seed S] [--samples K] [--format text|jsonl] [--device auto|cpu|cuda]</c>: K independent runs, batched together.
/// </summary>
internal static class RunCommand
{
    /// <summary>Runs per batch: large enough to amortize every model call, small enough to bound memory.</summary>
    private const int RunsPerBatch = 16384;


    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .tts file" };
        var strategy = new Option<string?>("--strategy") { Description = "The strategy to run (default: the file's only strategy)" };
        var models = new Option<string[]>("--model")
        {
            Description = "Bind a declared model: NAME=tabular:PATH or NAME=transformer:DIR (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var sets = new Option<string[]>("--set") { Description = "Set a strategy parameter: NAME=VALUE (repeatable)" };
        var binds = new Option<string[]>("--bind")
        {
            Description = "Bind a declared reward, verifier or extractor to an expression over `text`: NAME=EXPR, e.g. valid='ends_with(text, \"b\")' (repeatable)",
        };
        var prompt = new Option<string?>("--prompt") { Description = "Value of the parameter named `prompt`, else of the first text parameter" };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same outputs bit for bit", DefaultValueFactory = _ => 0 };
        var samples = new Option<int>("--samples") { Description = "Number of independent runs (batched together)", DefaultValueFactory = _ => 1 };
        var format = new Option<string>("--format") { Description = "Output format: text or jsonl", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var device = new Option<string>("--device") { Description = "Where transformer models run: auto (CUDA when available), cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");

        var level = new Option<string>("--optimize", "-O") { Description = "Optimization level: 0 (the IR as lowered) or 1", DefaultValueFactory = _ => "1" };
        level.AcceptOnlyFromAmong("0", "1");

        var command = new Command("run", "Run a strategy of a .tts file") { file, strategy, models, sets, binds, prompt, seed, samples, format, device, level };
        command.SetAction(result => Run(
            new RunRequest(
                result.GetValue(file)!,
                result.GetValue(strategy),
                result.GetValue(models) ?? Array.Empty<string>(),
                result.GetValue(sets) ?? Array.Empty<string>(),
                result.GetValue(binds) ?? Array.Empty<string>(),
                result.GetValue(prompt),
                result.GetValue(seed),
                result.GetValue(samples),
                result.GetValue(format)!,
                result.GetValue(device) switch { "cpu" => DevicePreference.Cpu, "cuda" => DevicePreference.Cuda, _ => DevicePreference.Auto },
                result.GetValue(level) == "0" ? OptimizationLevel.O0 : OptimizationLevel.O1),
            output,
            error));
        return command;
    }

    private static int Run(RunRequest request, TextWriter output, TextWriter error)
    {
        if (request.Samples < 1)
        {
            throw new CliException($"--samples must be at least 1, but it is {request.Samples}");
        }

        var compilation = SourceLoader.Compile(request.File, request.Level);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            DiagnosticFormatter.Write(error, diagnostic, compilation.Syntax.Source);
        }

        if (compilation.HasErrors)
        {
            return TtsCommandLine.CompileErrors;
        }

        var function = SelectStrategy(compilation, request.Strategy);
        var arguments = ArgumentBinder.Bind(function.Name, function.Parameters, ParseSettings(function, request));
        var functions = FunctionSpec.Bind(request.Binds, compilation.Bound);
        foreach (var call in function.Instructions.OfType<IrCallFunction>().GroupBy(c => c.Name).Select(g => g.First()))
        {
            if (!functions.IsBound(call.Name))
            {
                var kind = call.Kind.ToString().ToLowerInvariant();
                throw new CliException($"{kind} '{call.Name}' is not bound: bind it with --bind {call.Name}=EXPR, an expression over `text`");
            }
        }

        var specs = request.Models.Select(ModelSpec.Parse).ToList();
        foreach (var duplicate in specs.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            throw new CliException($"model '{duplicate.Key}' is bound twice");
        }

        foreach (var unknown in specs.Where(s => !compilation.Optimized!.Models.Contains(s.Name)))
        {
            throw new CliException($"--model {unknown.Name}=...: the file declares no model '{unknown.Name}' (it declares: {string.Join(", ", compilation.Optimized!.Models)})");
        }

        var loaded = new List<ILanguageModel>();
        try
        {
            var bindings = new ModelBindings();
            foreach (var spec in specs)
            {
                var model = spec.Load(request.Device);
                loaded.Add(model);
                bindings.Bind(spec.Name, model);
            }

            var clock = Stopwatch.StartNew();
            long tokens = 0;
            for (var first = 0; first < request.Samples; first += RunsPerBatch)
            {
                var runs = Math.Min(RunsPerBatch, request.Samples - first);
                var results = IrExecutor.Execute(function, arguments, bindings, functions, new RunOptions(request.Seed, runs, first), compilation.Optimized);
                foreach (var result in results)
                {
                    Write(output, result, request);
                    tokens += result.Spent.Tokens;
                }
            }

            if (request.Format == "text")
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{request.Samples} run{(request.Samples == 1 ? "" : "s")} of {function.Name} ({function.Guarantee.LevelName}): {tokens} tokens in {clock.Elapsed.TotalSeconds:F2} s"));
            }

            return TtsCommandLine.Success;
        }
        finally
        {
            foreach (var model in loaded)
            {
                model.Dispose();
            }
        }
    }

    internal static IrFunction SelectStrategy(Compilation compilation, string? name)
    {
        var strategies = compilation.Bound.Strategies;
        var names = string.Join(", ", strategies.Select(s => s.Symbol.Name));
        var strategy = name is not null
            ? strategies.FirstOrDefault(s => s.Symbol.Name == name) ?? throw new CliException($"no strategy '{name}' in this file (it has: {names})")
            : strategies.Length switch
            {
                0 => throw new CliException("this file declares no strategy"),
                1 => strategies[0],
                _ => throw new CliException($"this file has several strategies: choose one with --strategy ({names})"),
            };
        return compilation.Optimized!.Find(strategy.Symbol.Name)
               ?? throw new CliException($"strategy '{strategy.Symbol.Name}' checks, but cannot run yet: {Lowerer.Unsupported(strategy)}");
    }

    private static Dictionary<string, string> ParseSettings(IrFunction function, RunRequest request)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in request.Sets)
        {
            var equals = set.IndexOf('=');
            if (equals <= 0)
            {
                throw new CliException($"bad --set '{set}': write NAME=VALUE");
            }

            var name = set.Substring(0, equals);
            if (!settings.TryAdd(name, set.Substring(equals + 1)))
            {
                throw new CliException($"parameter '{name}' is set twice");
            }
        }

        if (request.Prompt is not null)
        {
            var target = function.Parameters.FirstOrDefault(p => p.Name == "prompt")
                         ?? function.Parameters.FirstOrDefault(p => p.Type.Equals(Tts.Language.Binding.Types.TtsType.Text))
                         ?? throw new CliException($"--prompt: strategy '{function.Name}' has no text parameter");
            if (!settings.TryAdd(target.Name, request.Prompt))
            {
                throw new CliException($"parameter '{target.Name}' is given by both --prompt and --set");
            }
        }

        return settings;
    }

    private static void Write(TextWriter output, RunResult result, RunRequest request)
    {
        if (request.Format == "jsonl")
        {
            output.WriteLine(JsonLine.Object(json =>
            {
                json.WriteNumber("run", result.Run);
                json.WritePropertyName("output");
                switch (result.Output)
                {
                    case string s: json.WriteStringValue(s); break;
                    case long l: json.WriteNumberValue(l); break;
                    case double d: json.WriteNumberValue(d); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case null: json.WriteNullValue(); break;
                }

                json.WriteStartObject("spent");
                json.WriteNumber("tokens", result.Spent.Tokens);
                json.WriteNumber("model_calls", result.Spent.ModelCalls);
                json.WriteNumber("reward_calls", result.Spent.RewardCalls);
                json.WriteEndObject();
            }));
            return;
        }

        var text = result.Output is null ? "(no output)" : Tts.Language.Binding.Constants.Format(result.Output);
        output.WriteLine(request.Samples == 1 ? (result.Output as string ?? text) : $"[{result.Run}] {(result.Output is string s2 ? s2 : text)}");
    }

    private sealed record RunRequest(
        string File, string? Strategy, string[] Models, string[] Sets, string[] Binds, string? Prompt, ulong Seed, int Samples, string Format, DevicePreference Device, OptimizationLevel Level);
}
