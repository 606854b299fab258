namespace Tts.Tasks.Arithmetic;

/// <summary>
/// Seeded random problems. A problem of level L has L operators and L + 1 numbers: numbers in 1..20, except that
/// the right operand of <c>*</c> is in 2..9 and two <c>*</c> never follow each other, so that products stay below
/// 200 and every step is a small computation. The same seed gives the same problems on every machine
/// (<see cref="Random"/> with a seed is a fixed algorithm).
/// </summary>
public sealed class ArithmeticGenerator
{
    public const int MinLevel = 1;
    public const int MaxLevel = 4;

    private readonly Random _random;

    public ArithmeticGenerator(int seed) => _random = new Random(seed);

    public ArithmeticProblem Next(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        var numbers = new List<long> { _random.Next(1, 21) };
        var operators = new List<char>();
        for (var i = 0; i < level; i++)
        {
            var previousMultiplied = operators.Count > 0 && operators[^1] == ArithmeticOperator.Multiply;
            var draw = _random.NextDouble();
            var op = draw < 0.4 ? ArithmeticOperator.Add
                : draw < 0.75 || previousMultiplied ? ArithmeticOperator.Subtract
                : ArithmeticOperator.Multiply;
            operators.Add(op);
            numbers.Add(op == ArithmeticOperator.Multiply ? _random.Next(2, 10) : _random.Next(1, 21));
        }

        return new ArithmeticProblem(numbers, operators, level);
    }
}
