using Tts.Cli.Eval;
using Tts.Language.Binding.BoundTree;
using Tts.Semantics;

namespace Tts.Cli.Tune;

/// <summary>
/// One point of the search space: a strategy with some of its parameters set (as text, the way <c>--set</c> gives them).
/// <c>StaticTokens</c>: the compiler's worst-case tokens per run at these settings (null when the bound is not a
/// number of the parameters), known before anything runs.
/// </summary>
internal sealed record TuneCandidate(EvalStrategy Strategy, IReadOnlyList<KeyValuePair<string, string>> Settings, long? StaticTokens)
{
    public string Label => Settings.Count == 0
        ? Strategy.Label
        : $"{Strategy.Label}({string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value}"))})";

    public IReadOnlyDictionary<string, string> SettingsByName => Settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    /// <summary>A candidate with its static bound evaluated at its settings and the strategy's defaults.</summary>
    public static TuneCandidate Create(EvalStrategy strategy, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        var values = strategy.Strategy.Arguments(strategy.Strategy.ParseArguments(
            new Dictionary<string, string>(settings, StringComparer.Ordinal) { [strategy.QuestionParameter] = "" }));
        var bound = strategy.Program.Compilation.Bound.FindStrategy(strategy.Strategy.Name)?.Budget.Tokens;
        return new TuneCandidate(strategy, settings, bound is null ? null : Evaluate(bound, values) as long?);
    }

    /// <summary>A budget expression at given parameter values: int arithmetic over literals and parameters, else null.</summary>
    private static object? Evaluate(BoundExpression expression, IReadOnlyDictionary<string, object> values)
    {
        switch (expression)
        {
            case BoundLiteral literal:
                return literal.Value;
            case BoundParameterReference parameter:
                return values.TryGetValue(parameter.Parameter.Name, out var value) ? value : null;
            case BoundUnary unary:
                return Evaluate(unary.Operand, values) is { } operand ? Checked(() => Operators.Evaluate(unary.Operator, operand)) : null;
            case BoundBinary binary:
                var left = Evaluate(binary.Left, values);
                var right = Evaluate(binary.Right, values);
                return left is null || right is null ? null : Checked(() => Operators.Evaluate(binary.Operator, left, right));
            default:
                return null;
        }
    }

    private static object? Checked(Func<object> evaluate)
    {
        try
        {
            return evaluate();
        }
        catch (ArithmeticException)
        {
            return null; // overflow or division by zero: no finite bound to report
        }
    }
}
