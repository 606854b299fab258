using System.Globalization;

namespace Tts.Tasks.Reach;

/// <summary>A move of the reach task: add 3, subtract 2 or double; written <c>+3</c>, <c>-2</c>, <c>*2</c>.</summary>
public sealed record ReachMove(char Operator, int Operand)
{
    /// <summary>The moves, in the order the canonical solution prefers them.</summary>
    public static IReadOnlyList<ReachMove> All { get; } = [new('+', 3), new('-', 2), new('*', 2)];

    /// <summary>Values a plan may pass through: a move that leaves this range is not allowed.</summary>
    public const int MinValue = 0;

    public const int MaxValue = 199;

    public int Apply(int value) => Operator switch
    {
        '+' => value + Operand,
        '-' => value - Operand,
        _ => value * Operand,
    };

    /// <summary>The value after the move, or null when it leaves [<see cref="MinValue"/>, <see cref="MaxValue"/>].</summary>
    public int? TryApply(int value) => Apply(value) is var next and >= MinValue and <= MaxValue ? next : null;

    /// <summary>The step line of this move from <paramref name="value"/>, e.g. <c>5*2=10</c>.</summary>
    public string Line(int value) => string.Create(CultureInfo.InvariantCulture, $"{value}{Operator}{Operand}={Apply(value)}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Operator}{Operand}");

    /// <summary>The moves of a plan such as <c>*2+3*2</c>; null when it is not a sequence of known moves.</summary>
    public static IReadOnlyList<ReachMove>? ParsePlan(string plan)
    {
        if (plan.Length % 2 != 0)
        {
            return null;
        }

        var moves = new List<ReachMove>(plan.Length / 2);
        for (var i = 0; i < plan.Length; i += 2)
        {
            var move = All.FirstOrDefault(m => m.Operator == plan[i] && (char)('0' + m.Operand) == plan[i + 1]);
            if (move is null)
            {
                return null;
            }

            moves.Add(move);
        }

        return moves;
    }
}
