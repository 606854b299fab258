
namespace Tts.Semantics;

public enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
}

public enum UnaryOperator
{
    Negate,
    Not,
}

/// <summary>Typing and evaluation of operators, shared by the binder, constant folding and the executor.</summary>
public static class Operators
{
    public static BinaryOperator? ParseBinary(string text) => text switch
    {
        "+" => BinaryOperator.Add,
        "-" => BinaryOperator.Subtract,
        "*" => BinaryOperator.Multiply,
        "/" => BinaryOperator.Divide,
        "%" => BinaryOperator.Modulo,
        "<" => BinaryOperator.Less,
        "<=" => BinaryOperator.LessOrEqual,
        ">" => BinaryOperator.Greater,
        ">=" => BinaryOperator.GreaterOrEqual,
        "==" => BinaryOperator.Equal,
        "!=" => BinaryOperator.NotEqual,
        "and" => BinaryOperator.And,
        "or" => BinaryOperator.Or,
        _ => null,
    };

    public static string Text(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "and",
        _ => "or",
    };

    public static string Text(UnaryOperator op) => op == UnaryOperator.Negate ? "-" : "not";

    /// <summary>
    /// The result type, or null when the operator does not apply. `/` always gives a real (no silent
    /// integer division); `%` is for ints only; `+` also joins texts.
    /// </summary>
    public static TtsType? ResultType(BinaryOperator op, TtsType left, TtsType right)
    {
        if (left.IsError || right.IsError)
        {
            return TtsType.Error;
        }

        if (left.IsNumericKind || right.IsNumericKind)
        {
            return KindResultType(op, left, right);
        }

        switch (op)
        {
            case BinaryOperator.Add when left.Equals(TtsType.Text) && right.Equals(TtsType.Text):
                return TtsType.Text;
            case BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply when left.IsNumeric && right.IsNumeric:
                return left.Equals(TtsType.Int) && right.Equals(TtsType.Int) ? TtsType.Int : TtsType.Real;
            case BinaryOperator.Divide when left.IsNumeric && right.IsNumeric:
                return TtsType.Real;
            case BinaryOperator.Modulo when left.Equals(TtsType.Int) && right.Equals(TtsType.Int):
                return TtsType.Int;
            case BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual
                when left.IsNumeric && right.IsNumeric:
                return TtsType.Bool;
            case BinaryOperator.Equal or BinaryOperator.NotEqual
                when (left.IsNumeric && right.IsNumeric) || (left.IsScalar && left.Equals(right)):
                return TtsType.Bool;
            case BinaryOperator.And or BinaryOperator.Or when left.Equals(TtsType.Bool) && right.Equals(TtsType.Bool):
                return TtsType.Bool;
            default:
                return null;
        }
    }

    /// <summary>
    /// LogWeight and Score add to their own kind and scale by plain numbers; Prob multiplies by Prob (independent
    /// events); comparisons need the same kind on both sides. Everything else needs an explicit conversion.
    /// </summary>
    private static TtsType? KindResultType(BinaryOperator op, TtsType left, TtsType right)
    {
        var kind = left.IsNumericKind ? left : right;
        var additive = kind.Kind is TypeKind.LogWeight or TypeKind.Score;
        switch (op)
        {
            case BinaryOperator.Add or BinaryOperator.Subtract when additive && left.Equals(right):
                return kind;
            case BinaryOperator.Multiply when additive && (left.IsNumeric || right.IsNumeric):
                return kind;
            case BinaryOperator.Divide when additive && left.Equals(kind) && right.IsNumeric:
                return kind;
            case BinaryOperator.Multiply when kind.Kind == TypeKind.Prob && left.Equals(right):
                return kind;
            case BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual
                or BinaryOperator.Equal or BinaryOperator.NotEqual when left.Equals(right):
                return TtsType.Bool;
            default:
                return null;
        }
    }

    public static TtsType? ResultType(UnaryOperator op, TtsType operand)
    {
        if (operand.IsError)
        {
            return TtsType.Error;
        }

        return op switch
        {
            UnaryOperator.Negate when operand.IsNumeric || operand.Kind is TypeKind.LogWeight or TypeKind.Score => operand,
            UnaryOperator.Not when operand.Equals(TtsType.Bool) => TtsType.Bool,
            _ => null,
        };
    }

    /// <summary>Evaluates on runtime values (long, double, string, bool) already known to be well typed.</summary>
    public static object Evaluate(BinaryOperator op, object left, object right)
    {
        if (left is long l && right is long r && op != BinaryOperator.Divide)
        {
            // int is 64-bit and overflow is an error, never a silent wrap-around.
            try
            {
                return op switch
                {
                    BinaryOperator.Add => checked(l + r),
                    BinaryOperator.Subtract => checked(l - r),
                    BinaryOperator.Multiply => checked(l * r),
                    BinaryOperator.Modulo => r == 0 ? throw new EvaluationException($"{l} % 0: division by zero") : r == -1 ? 0L : l % r,
                    BinaryOperator.Less => l < r,
                    BinaryOperator.LessOrEqual => l <= r,
                    BinaryOperator.Greater => l > r,
                    BinaryOperator.GreaterOrEqual => l >= r,
                    BinaryOperator.Equal => l == r,
                    BinaryOperator.NotEqual => l != r,
                    _ => throw Unexpected(op, left, right),
                };
            }
            catch (OverflowException)
            {
                throw new EvaluationException($"{l} {Text(op)} {r} overflows the int range (64-bit, ±9.2e18)");
            }
        }

        if (left is long or double && right is long or double)
        {
            var a = Convert.ToDouble(left, System.Globalization.CultureInfo.InvariantCulture);
            var b = Convert.ToDouble(right, System.Globalization.CultureInfo.InvariantCulture);
            return op switch
            {
                BinaryOperator.Add => a + b,
                BinaryOperator.Subtract => a - b,
                BinaryOperator.Multiply => a * b,
                BinaryOperator.Divide => a / b,
                BinaryOperator.Less => a < b,
                BinaryOperator.LessOrEqual => a <= b,
                BinaryOperator.Greater => a > b,
                BinaryOperator.GreaterOrEqual => a >= b,
                BinaryOperator.Equal => a == b,
                BinaryOperator.NotEqual => a != b,
                _ => throw Unexpected(op, left, right),
            };
        }

        return (op, left, right) switch
        {
            (BinaryOperator.Add, string s, string t) => s + t,
            (BinaryOperator.Equal, _, _) => left.Equals(right),
            (BinaryOperator.NotEqual, _, _) => !left.Equals(right),
            (BinaryOperator.And, bool p, bool q) => p && q,
            (BinaryOperator.Or, bool p, bool q) => p || q,
            _ => throw Unexpected(op, left, right),
        };
    }

    public static object Evaluate(UnaryOperator op, object operand) => (op, operand) switch
    {
        (UnaryOperator.Negate, long l) => l == long.MinValue ? throw new EvaluationException($"-({l}) overflows the int range (64-bit, ±9.2e18)") : -l,
        (UnaryOperator.Negate, double d) => -d,
        (UnaryOperator.Not, bool b) => !b,
        _ => throw new InvalidOperationException($"operator {Text(op)} on {operand.GetType().Name}"),
    };

    private static InvalidOperationException Unexpected(BinaryOperator op, object left, object right) =>
        new($"operator {Text(op)} on {left.GetType().Name} and {right.GetType().Name} passed type checking");
}
