using Tts.Language.Binding.BoundTree;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Evaluates bound expressions built only from constants; used for defaults and static range checks.</summary>
public static class ConstantFolder
{
    /// <summary>The value (long, double, string, bool or object[] for lists), or null when not constant.</summary>
    public static object? TryEvaluate(BoundExpression expression)
    {
        try
        {
            return Evaluate(expression);
        }
        catch (Exception e) when (e is ArithmeticException or EvaluationException)
        {
            // e.g. a constant modulo by zero or an overflow: not a constant; the binder reports it separately.
            return null;
        }
    }

    /// <summary>Why <paramref name="op"/> on two constant operands cannot be computed (an int overflow), or null.</summary>
    public static string? OverflowOf(BinaryOperator op, BoundExpression left, BoundExpression right)
    {
        if (TryEvaluate(left) is not long l || TryEvaluate(right) is not long r)
        {
            return null;
        }

        try
        {
            _ = Operators.Evaluate(op, l, r);
            return null;
        }
        catch (EvaluationException e)
        {
            return e.Message;
        }
        catch (ArithmeticException)
        {
            return null;
        }
    }

    private static object? Evaluate(BoundExpression expression)
    {
        switch (expression)
        {
            case BoundLiteral literal:
                return literal.Value;
            case BoundUnary unary:
                return Evaluate(unary.Operand) is { } operand ? Operators.Evaluate(unary.Operator, operand) : null;
            case BoundBinary binary:
                var left = Evaluate(binary.Left);
                var right = Evaluate(binary.Right);
                return left is null || right is null ? null : Operators.Evaluate(binary.Operator, left, right);
            case BoundBuiltinCall call:
                var arguments = call.Arguments.Select(Evaluate).ToArray();
                return arguments.Any(a => a is null) ? null : call.Function.Evaluate(arguments!);
            case BoundList list:
                var elements = list.Elements.Select(Evaluate).ToArray();
                return elements.Any(e => e is null) ? null : elements!;
            default:
                return null;
        }
    }
}
