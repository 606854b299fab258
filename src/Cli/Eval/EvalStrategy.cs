using Tts.Cli.Commands;
using Tts.Execution;
using Tts.Semantics;

namespace Tts.Cli.Eval;

/// <summary>
/// A strategy as `tts eval` and `tts tune` run it: its compiled program, the text parameter each problem's question
/// goes to, and whether it takes the budget parameter (a strategy without it, a single sample, runs once).
/// </summary>
internal sealed record EvalStrategy(string Label, string Path, StrategyProgram Program, CompiledStrategy Strategy, string QuestionParameter, bool HasBudget)
{
    /// <summary>Loads <c>FILE.tts</c> or <c>FILE.tts:NAME</c>; compile errors are printed to <paramref name="error"/> and end the command.</summary>
    public static EvalStrategy Load(string spec, string budgetParameter, TextWriter error)
    {
        var colon = spec.LastIndexOf(':');
        var (path, name) = colon > 0 && !File.Exists(spec) ? (spec[..colon], spec[(colon + 1)..]) : (spec, null);
        var program = SourceLoader.Load(path);
        foreach (var diagnostic in Output.DiagnosticFormatter.Relevant(program.Compilation, name))
        {
            Output.DiagnosticFormatter.Write(error, diagnostic, program.Compilation.Syntax.Source);
        }

        if (program.HasErrors)
        {
            throw new CliException($"{path} does not compile");
        }

        if (name is null && program.StrategyNames.Count > 1)
        {
            // StrategyProgram's own message names `tts run`'s --strategy, which eval and tune do not have.
            throw new CliException($"{path} has several strategies: choose one as {path}:NAME ({string.Join(", ", program.StrategyNames)})");
        }

        var strategy = program.Select(name);
        var budget = strategy.Parameters.FirstOrDefault(p => p.Name == budgetParameter);
        if (budget is not null && !budget.Type.Equals(TtsType.Int))
        {
            throw new CliException($"{path}: parameter '{budgetParameter}' of strategy '{strategy.Name}' is {budget.Type}, but a budget must be an int (choose another with --budget-parameter)");
        }

        var question = RunCommand.QuestionParameter(strategy)
                       ?? throw new CliException($"{path}: strategy '{strategy.Name}' has no text parameter for the question");
        return new EvalStrategy(strategy.Name, path, program, strategy, question.Name, HasBudget: budget is not null);
    }
}
