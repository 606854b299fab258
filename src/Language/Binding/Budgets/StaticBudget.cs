using System.Collections.Immutable;
using System.Globalization;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding.Budgets;

/// <summary>A declared limit, <c>tokens &lt;= 4096 * n</c>.</summary>
public sealed record BudgetLimit(BudgetResource Resource, BoundExpression Limit, TextSpan Span);

/// <summary>
/// Upper bounds on what one run can spend, as int expressions over the strategy's parameters (constants folded).
/// Every loop of the language is bounded (<c>steps &lt;=</c>, <c>rounds &lt;=</c>), so every strategy has one.
/// </summary>
public sealed record StaticBudget(BoundExpression Tokens, BoundExpression Calls, BoundExpression Rewards)
{
    public static StaticBudget Zero { get; } = new(BudgetMath.Zero, BudgetMath.Zero, BudgetMath.Zero);

    public BoundExpression this[BudgetResource resource] => resource switch
    {
        BudgetResource.Tokens => Tokens,
        BudgetResource.Calls => Calls,
        _ => Rewards,
    };

    public StaticBudget Plus(StaticBudget other) =>
        new(BudgetMath.Add(Tokens, other.Tokens), BudgetMath.Add(Calls, other.Calls), BudgetMath.Add(Rewards, other.Rewards));

    public StaticBudget Times(BoundExpression factor) =>
        new(BudgetMath.Multiply(Tokens, factor), BudgetMath.Multiply(Calls, factor), BudgetMath.Multiply(Rewards, factor));

    /// <summary>"tokens &lt;= 256 * n, calls &lt;= 257, rewards &lt;= 0".</summary>
    public override string ToString() =>
        $"tokens <= {BudgetMath.Format(Tokens)}, calls <= {BudgetMath.Format(Calls)}, rewards <= {BudgetMath.Format(Rewards)}";
}

/// <summary>Int arithmetic on bound expressions that folds constants as it builds, and prints the result as source.</summary>
public static class BudgetMath
{
    /// <summary>How a bound the saturating arithmetic stopped at the largest int is shown: it is past it, not equal to it.</summary>
    public const string PastTheIntRange = "more than 9223372036854775807 (past the int range)";

    /// <summary>A folded bound as shown in messages (<see cref="PastTheIntRange"/> for a saturated one).</summary>
    public static object Shown(long value) => value == long.MaxValue ? PastTheIntRange : value;

    public static BoundExpression Zero { get; } = Constant(0);

    public static BoundExpression One { get; } = Constant(1);

    public static BoundExpression Constant(long value) => new BoundLiteral(value, TtsType.Int, default);

    public static long? ValueOf(BoundExpression expression) => ConstantFolder.TryEvaluate(expression) is long value ? value : null;

    public static BoundExpression Add(BoundExpression left, BoundExpression right) =>
        Polynomial.From(left) is { } a && Polynomial.From(right) is { } b ? a.Plus(b).ToExpression() : Raw(BinaryOperator.Add, left, right);

    public static BoundExpression Multiply(BoundExpression left, BoundExpression right) =>
        Polynomial.From(left) is { } a && Polynomial.From(right) is { } b ? a.Times(b).ToExpression() : Raw(BinaryOperator.Multiply, left, right);

    /// <summary>A product or sum the polynomial form cannot hold (a local, a division): zeros and ones still fold.</summary>
    private static BoundExpression Raw(BinaryOperator op, BoundExpression left, BoundExpression right) =>
        (op, ValueOf(left), ValueOf(right)) switch
        {
            (BinaryOperator.Add, 0, _) => right,
            (BinaryOperator.Add, _, 0) => left,
            (BinaryOperator.Multiply, 0, _) or (BinaryOperator.Multiply, _, 0) => Zero,
            (BinaryOperator.Multiply, 1, _) => right,
            (BinaryOperator.Multiply, _, 1) => left,
            _ => new BoundBinary(left, op, right, TtsType.Int, null, default),
        };

    /// <summary>
    /// Saturating arithmetic: a bound past the long range is reported as its end, never wrapped. Coefficients can be
    /// negative (a width written as a negative constant, which its own check rejects), down to long.MinValue, whose
    /// absolute value does not exist: the product is taken checked and saturated by its sign.
    /// </summary>
    private static long SaturatingAdd(long a, long b) =>
        a > 0 && b > long.MaxValue - a ? long.MaxValue
        : a < 0 && b < long.MinValue - a ? long.MinValue
        : a + b;

    private static long SaturatingMultiply(long a, long b)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            return (a < 0) == (b < 0) ? long.MaxValue : long.MinValue;
        }
    }

    /// <summary>
    /// Budgets are sums of products of int parameters with constant coefficients; keeping them as polynomials
    /// folds "40 * (256 * n) + n" into "10241 * n".
    /// </summary>
    private sealed class Polynomial
    {
        // Monomial (sorted parameter names, joined by '*'; "" for the constant term) -> coefficient.
        private readonly SortedDictionary<string, long> _terms;
        private readonly Dictionary<string, Symbols.ParameterSymbol> _parameters;

        private Polynomial(SortedDictionary<string, long> terms, Dictionary<string, Symbols.ParameterSymbol> parameters)
        {
            _terms = terms;
            _parameters = parameters;
        }

        public static Polynomial? From(BoundExpression expression)
        {
            switch (expression)
            {
                case BoundLiteral { Value: long value }:
                    return new Polynomial(new SortedDictionary<string, long>(StringComparer.Ordinal) { [""] = value }, new());
                case BoundParameterReference reference when reference.Parameter.Type.Kind == TypeKind.Int:
                    return new Polynomial(new SortedDictionary<string, long>(StringComparer.Ordinal) { [reference.Parameter.Name] = 1 },
                        new() { [reference.Parameter.Name] = reference.Parameter });
                case BoundBinary { Operator: BinaryOperator.Add } binary when From(binary.Left) is { } a && From(binary.Right) is { } b:
                    return a.Plus(b);
                case BoundBinary { Operator: BinaryOperator.Multiply } binary when From(binary.Left) is { } a && From(binary.Right) is { } b:
                    return a.Times(b);
                default:
                    return null;
            }
        }

        public Polynomial Plus(Polynomial other)
        {
            var terms = new SortedDictionary<string, long>(_terms, StringComparer.Ordinal);
            foreach (var term in other._terms)
            {
                terms[term.Key] = SaturatingAdd(terms.TryGetValue(term.Key, out var c) ? c : 0, term.Value);
            }

            return new Polynomial(terms, Merge(other));
        }

        public Polynomial Times(Polynomial other)
        {
            var terms = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var a in _terms)
            {
                foreach (var b in other._terms)
                {
                    var monomial = string.Join("*", a.Key.Split('*').Concat(b.Key.Split('*')).Where(f => f.Length > 0).OrderBy(f => f, StringComparer.Ordinal));
                    terms[monomial] = SaturatingAdd(terms.TryGetValue(monomial, out var c) ? c : 0, SaturatingMultiply(a.Value, b.Value));
                }
            }

            return new Polynomial(terms, Merge(other));
        }

        /// <summary>Terms of higher degree first, the constant last: "256 * n * steps + 16 * n + 1".</summary>
        public BoundExpression ToExpression()
        {
            BoundExpression? sum = null;
            foreach (var term in _terms.Where(t => t.Value != 0).OrderByDescending(t => t.Key.Length == 0 ? 0 : t.Key.Split('*').Length).ThenBy(t => t.Key, StringComparer.Ordinal))
            {
                BoundExpression? product = term.Value == 1 && term.Key.Length > 0 ? null : Constant(term.Value);
                foreach (var factor in term.Key.Split('*').Where(f => f.Length > 0))
                {
                    BoundExpression parameter = new BoundParameterReference(_parameters[factor], default);
                    product = product is null ? parameter : Raw(BinaryOperator.Multiply, product, parameter);
                }

                sum = sum is null ? product! : Raw(BinaryOperator.Add, sum, product!);
            }

            return sum ?? Zero;
        }

        private Dictionary<string, Symbols.ParameterSymbol> Merge(Polynomial other)
        {
            var merged = new Dictionary<string, Symbols.ParameterSymbol>(_parameters);
            foreach (var pair in other._parameters)
            {
                merged[pair.Key] = pair.Value;
            }

            return merged;
        }
    }

    /// <summary>Replaces parameter references (a callee's bound at a call site: its parameters become the arguments).</summary>
    public static BoundExpression Substitute(BoundExpression expression, Func<Symbols.ParameterSymbol, BoundExpression> argumentOf)
    {
        switch (expression)
        {
            case BoundParameterReference parameter:
                return argumentOf(parameter.Parameter);
            case BoundBinary { Operator: BinaryOperator.Add } binary:
                return Add(Substitute(binary.Left, argumentOf), Substitute(binary.Right, argumentOf));
            case BoundBinary { Operator: BinaryOperator.Multiply } binary:
                return Multiply(Substitute(binary.Left, argumentOf), Substitute(binary.Right, argumentOf));
            case BoundBinary binary:
                // Any other operator (`k - 1`): substitute below it and fold when it became constant.
                var rebuilt = binary with { Left = Substitute(binary.Left, argumentOf), Right = Substitute(binary.Right, argumentOf) };
                return ConstantFolder.TryEvaluate(rebuilt) is long value ? Constant(value) : rebuilt;
            case BoundUnary unary:
                var operand = unary with { Operand = Substitute(unary.Operand, argumentOf) };
                return ConstantFolder.TryEvaluate(operand) is long negated ? Constant(negated) : operand;
            default:
                return expression;
        }
    }

    /// <summary>Whether the bound is known before the run: built from constants and parameters only.</summary>
    public static bool IsStatic(BoundExpression expression) => expression switch
    {
        BoundLiteral or BoundParameterReference => true,
        BoundBinary binary => IsStatic(binary.Left) && IsStatic(binary.Right),
        BoundUnary unary => IsStatic(unary.Operand),
        _ => false,
    };

    /// <summary>Source-like text with the fewest parentheses: "4096 * n", "(n + 1) * 256"; or why there is no static bound.</summary>
    public static string Format(BoundExpression expression) =>
        IsStatic(expression) ? FormatTerm(expression) : "? (depends on a value computed during the run)";

    private static string FormatTerm(BoundExpression expression) => expression switch
    {
        // The saturating arithmetic below stops at the largest int: a bound there is past the int range, not equal to it.
        BoundLiteral { Value: long.MaxValue } => PastTheIntRange,
        BoundLiteral literal => Convert.ToString(literal.Value, CultureInfo.InvariantCulture) ?? "",
        BoundParameterReference parameter => parameter.Parameter.Name,
        BoundLocalReference local => local.Local.Name,
        BoundBinary { Operator: BinaryOperator.Multiply } binary => $"{Factor(binary.Left)} * {Factor(binary.Right)}",
        BoundBinary binary => $"{FormatTerm(binary.Left)} {Operators.Text(binary.Operator)} {Factor(binary.Right)}",
        BoundUnary unary => $"{Operators.Text(unary.Operator)}{Factor(unary.Operand)}",
        _ => "?",
    };

    private static string Factor(BoundExpression expression) =>
        expression is BoundBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract } ? $"({FormatTerm(expression)})" : FormatTerm(expression);

    public static ImmutableArray<BudgetResource> Resources { get; } = ImmutableArray.Create(BudgetResource.Tokens, BudgetResource.Calls, BudgetResource.Rewards);
}
