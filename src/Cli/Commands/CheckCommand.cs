using System.CommandLine;
using System.Text.Json;
using Tts.Cli.Output;
using Tts.Compiler.Driver;
using Tts.Compiler.Lowering;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Diagnostics;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts check FILE.tts [--format text|json] [--model NAME=KIND:PATH]...</c>: diagnostics, or each strategy's signature,
/// guarantee, target and budget; with models, what the guarantee means on them (<see cref="BoundModelGuarantees"/>).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "The .tts file to check" };
        var format = new Option<string>("--format") { Description = "text (default) or json: one JSON object per line, per diagnostic and per strategy", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var models = new Option<string[]>("--model")
        {
            Description = "Show each guarantee on these models (server-side sampling keeps it only for the server's law): " + Binding.ModelSpec.Syntax + " (repeatable)",
        };
        var command = new Command("check", "Parse and type-check a .tts file; print its diagnostics, or its strategies, guarantees and budgets") { file, format, models };
        command.SetAction(result => Check(result.GetValue(file)!, result.GetValue(format) == "json", result.GetValue(models) ?? [], output));
        return command;
    }

    private static int Check(string path, bool json, string[] modelSpecs, TextWriter output)
    {
        var compilation = SourceLoader.Compile(path);
        if (json)
        {
            foreach (var diagnostic in compilation.Diagnostics)
            {
                output.WriteLine(JsonLine.Object(w => WriteDiagnostic(w, diagnostic)));
            }
        }
        else
        {
            DiagnosticFormatter.WriteAll(output, compilation.Diagnostics, compilation.Syntax.Source);
        }

        if (compilation.HasErrors)
        {

            return TtsCommandLine.CompileErrors;
        }

        using var bound = BoundModelGuarantees.Open(modelSpecs, compilation.Bound.Models.Select(m => m.Name).ToList());
        if (json)
        {
            foreach (var strategy in compilation.Bound.Strategies)
            {
                output.WriteLine(JsonLine.Object(w =>
                {
                    WriteStrategy(w, strategy, compilation.Bound);
                    if (bound.Any && Lowerer.Unsupported(strategy, compilation.Bound) is null)
                    {
                        w.WriteStartArray("on_models");
                        foreach (var line in bound.Lines(compilation, strategy))
                        {
                            w.WriteStringValue(line.Trim());
                        }

                        w.WriteEndArray();
                    }
                }));
            }

            return TtsCommandLine.Success;
        }

        foreach (var model in compilation.Bound.Models)
        {
            output.WriteLine($"model {model.Name}: lm");
        }

        foreach (var function in compilation.Bound.Functions)
        {
            output.WriteLine($"{function.KindName} {function.Name}: {function.ResultType}");
        }

        foreach (var strategy in compilation.Bound.Strategies)
        {
            output.WriteLine($"strategy {strategy.Symbol.Signature}");
            output.WriteLine($"  guarantee: {strategy.Guarantee.LevelName}{(strategy.Claimed is { } claimed ? $" (claims {claimed.ToString().ToLowerInvariant()})" : "")}");
            output.WriteLine($"  target:    {strategy.Guarantee.Target}");
            output.WriteLine($"  because:   {strategy.Guarantee.Reason}");
            output.WriteLine($"  budget:    {strategy.Budget}{DeclaredSuffix(strategy)}");
            if (Lowerer.Unsupported(strategy, compilation.Bound) is { } reason)
            {
                output.WriteLine($"  run:       not yet ({reason})");
            }
            else
            {
                foreach (var line in bound.Lines(compilation, strategy))
                {
                    output.WriteLine(line);
                }
            }
        }

        return TtsCommandLine.Success;
    }

    private static string DeclaredSuffix(BoundStrategy strategy) =>
        strategy.DeclaredBudget.IsEmpty
            ? ""
            : $" (declared: {string.Join(", ", strategy.DeclaredBudget.Select(l => $"{l.Resource.ToString().ToLowerInvariant()} <= {BudgetMath.Format(l.Limit)}"))})";

    private static void WriteDiagnostic(Utf8JsonWriter w, Diagnostic diagnostic)
    {
        w.WriteString("code", diagnostic.Id);
        w.WriteString("severity", diagnostic.IsError ? "error" : "warning");
        w.WriteString("file", diagnostic.Location.Path);
        w.WriteNumber("line", diagnostic.Location.Start.Line + 1);
        w.WriteNumber("column", diagnostic.Location.Start.Column + 1);
        w.WriteNumber("end_line", diagnostic.Location.End.Line + 1);
        w.WriteNumber("end_column", diagnostic.Location.End.Column + 1);
        w.WriteString("message", diagnostic.Message);
    }

    private static void WriteStrategy(Utf8JsonWriter w, BoundStrategy strategy, BoundProgram program)
    {
        w.WriteString("strategy", strategy.Symbol.Name);
        w.WriteString("signature", strategy.Symbol.Signature);
        w.WriteString("guarantee", strategy.Guarantee.LevelName);
        w.WriteString("target", strategy.Guarantee.Target);
        w.WriteString("reason", strategy.Guarantee.Reason);
        if (strategy.Claimed is { } claimed)
        {
            w.WriteString("claims", claimed.ToString().ToLowerInvariant());
        }

        w.WriteStartObject("budget");
        foreach (var resource in BudgetMath.Resources)
        {
            w.WriteString(resource.ToString().ToLowerInvariant(), BudgetMath.Format(strategy.Budget[resource]));
        }

        w.WriteEndObject();
        w.WriteStartObject("declared_budget");
        foreach (var limit in strategy.DeclaredBudget)
        {
            w.WriteString(limit.Resource.ToString().ToLowerInvariant(), BudgetMath.Format(limit.Limit));
        }

        w.WriteEndObject();
        w.WriteBoolean("runnable", Lowerer.Unsupported(strategy, program) is null);
    }
}
