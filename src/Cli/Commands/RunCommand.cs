using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tts.Cli.Binding;
using Tts.Cli.Output;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Semantics;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts run FILE.tts [--strategy NAME] --model NAME=KIND:PATH [--bind NAME=EXPR|reward-model:DIR]... [--set P=V]...
/// [--prompt TEXT] [--seed S] [--samples K] [--format text|jsonl] [--device auto|cpu|cuda]</c>: K independent runs,
/// batched together.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .tts file" };
        var strategy = new Option<string?>("--strategy") { Description = "The strategy to run (default: the file's only strategy)" };
        var shared = new StrategyOptions();
        var prompt = new Option<string?>("--prompt") { Description = "Value of the parameter named `prompt`, else of the first text parameter; escapes as in a .tts string (\\n is a newline)" };
        var samples = new Option<int>("--samples") { Description = "Number of independent runs (batched together)", DefaultValueFactory = _ => 1 };
        var format = new Option<string>("--format") { Description = "Output format: text or jsonl", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var level = new Option<string>("--optimize", "-O") { Description = "Optimization level: 0 (the IR as lowered) or 1", DefaultValueFactory = _ => "1" };
        level.AcceptOnlyFromAmong("0", "1");

        var command = new Command("run", "Run a strategy of a .tts file") { file, strategy };
        shared.AddTo(command);
        command.Options.Add(prompt);
        command.Options.Add(samples);
        command.Options.Add(format);
        command.Options.Add(level);
        command.SetAction(result => Run(
            new RunRequest(
                result.GetValue(file)!,
                result.GetValue(strategy),
                shared.Read(result),
                result.GetValue(prompt),
                result.GetValue(samples),
                result.GetValue(format)!,
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

        var program = SourceLoader.Load(request.File, request.Level);
        DiagnosticFormatter.WriteAll(error, DiagnosticFormatter.Relevant(program.Compilation, request.Strategy), program.Compilation.Syntax.Source);
        if (program.HasErrors)
        {
            return TtsCommandLine.CompileErrors;
        }

        if (request.Strategy is null && program.StrategyNames.Count > 1)
        {
            throw SeveralStrategies(program, request.Settings);
        }

        var strategy = program.Select(request.Strategy);
        var (arguments, question) = Arguments(strategy, request);
        using var bindings = LoadedBindings.Load(
            request.Settings.Models.Select(ModelSpec.Parse),
            request.Settings.Binds,
            program.Compilation.Bound,
            new RewardModelContext(request.Settings.Device, question is null ? null : _ => question, request.Settings.MemoryLimit));
        bindings.RequireAll(strategy);

        var clock = Stopwatch.StartNew();
        long tokens = 0;
        var options = new RunOptions(request.Settings.Seed, request.Samples) { MemoryLimitBytes = request.Settings.MemoryLimit };
        foreach (var result in strategy.Run(arguments, bindings.Models, bindings.Functions, options, ClosedOutputWriter.ClosedOf(output)))
        {
            Write(output, result, request);
            tokens += result.Spent.Tokens;
        }

        if (request.Format == "text")
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{request.Samples} run{(request.Samples == 1 ? "" : "s")} of {strategy.Name} ({strategy.Runnable.Guarantee}): {tokens} tokens in {clock.Elapsed.TotalSeconds:F2} s"));
        }

        return TtsCommandLine.Success;
    }

    /// <summary>
    /// Several strategies and no <c>--strategy</c>: the one line also names what every strategy of the file needs and
    /// the command line does not bind, so that both fixes are in the first error.
    /// </summary>
    private static CliException SeveralStrategies(StrategyProgram program, StrategySettings settings)
    {
        var given = settings.Models.Concat(settings.Binds)
            .Select(spec => spec.IndexOf('=', StringComparison.Ordinal) is var equals and > 0 ? spec.Substring(0, equals) : spec)
            .ToHashSet(StringComparer.Ordinal);
        var runnable = program.StrategyNames
            .Where(name => program.Compilation.Optimized?.Find(name) is not null)
            .Select(name => program.Select(name).Requirements.Where(r => !given.Contains(r.Name)).ToList())
            .ToList();
        var everyOneNeeds = runnable.Count == 0
            ? []
            : runnable[0].Where(requirement => runnable.All(needs => needs.Contains(requirement))).ToList();
        var message = $"this file has several strategies: choose one with --strategy ({string.Join(", ", program.StrategyNames)})";
        return new CliException(everyOneNeeds.Count == 0
            ? message
            : $"{message}; each also needs: {string.Join("; ", everyOneNeeds.Select(LoadedBindings.Hint))}");
    }

    /// <summary>The typed arguments (<c>--set</c>, and <c>--prompt</c> for the prompt parameter), and the question a reward model reads.</summary>
    private static (IReadOnlyDictionary<string, object> Arguments, string? Question) Arguments(CompiledStrategy strategy, RunRequest request)
    {
        var settings = new Dictionary<string, string>(request.Settings.Sets, StringComparer.Ordinal);
        var questionParameter = QuestionParameter(strategy);
        if (request.Prompt is not null)
        {
            var target = questionParameter ?? throw new CliException($"--prompt: strategy '{strategy.Name}' has no text parameter");
            if (!settings.TryAdd(target.Name, request.Prompt))
            {
                throw new CliException($"parameter '{target.Name}' is given by both --prompt and --set");
            }
        }

        var arguments = strategy.ParseArguments(settings);
        return (arguments, questionParameter is null ? null : arguments[questionParameter.Name] as string);
    }

    /// <summary>The parameter named <c>prompt</c>, else the first text parameter: what <c>--prompt</c> sets.</summary>
    internal static StrategyParameter? QuestionParameter(CompiledStrategy strategy) =>
        strategy.Parameters.FirstOrDefault(p => p.Name == "prompt") ?? strategy.Parameters.FirstOrDefault(p => p.Type.Equals(TtsType.Text));

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
                    // JSON has no NaN or infinity: they are written as the strings "NaN", "Infinity", "-Infinity".
                    case double d when !double.IsFinite(d): json.WriteStringValue(Constants.Format(d)); break;
                    case double d: json.WriteNumberValue(d); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case null: json.WriteNullValue(); break;
                    case IEnumerable<object> texts:
                        // A strategy returning a population: the texts of its live particles.
                        json.WriteStartArray();
                        foreach (var text in texts)
                        {
                            json.WriteStringValue(text as string ?? Constants.Format(text));
                        }

                        json.WriteEndArray();
                        break;
                    default: json.WriteStringValue(Constants.Format(result.Output)); break;
                }

                json.WriteStartObject("spent");
                json.WriteNumber("tokens", result.Spent.Tokens);
                json.WriteNumber("model_calls", result.Spent.ModelCalls);
                json.WriteNumber("reward_calls", result.Spent.RewardCalls);
                json.WriteEndObject();
            }));
            return;
        }

        var text = result.Output is null ? "(no output)" : Constants.Format(result.Output);
        output.WriteLine(request.Samples == 1 ? (result.Output as string ?? text) : $"[{result.Run}] {(result.Output is string s2 ? s2 : text)}");
    }

    private sealed record RunRequest(string File, string? Strategy, StrategySettings Settings, string? Prompt, int Samples, string Format, OptimizationLevel Level);
}
