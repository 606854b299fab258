namespace Tts.Tasks.Arithmetic;

/// <summary>The operators of the arithmetic task, with their characters and values.</summary>
public static class ArithmeticOperator
{
    public const char Add = '+';
    public const char Subtract = '-';
    public const char Multiply = '*';

    public static long Apply(char op, long left, long right) => op switch
    {
        Add => left + right,
        Subtract => left - right,
        Multiply => left * right,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an arithmetic operator"),
    };
}
