using System.Globalization;
using System.Text;

namespace Tts.Tasks.Arithmetic;

/// <summary>
/// An expression over positive integers with <c>+ - *</c> (usual precedence, left to right), e.g. <c>37+48*2-15</c>.
/// Its canonical solution reduces one operator per line — the leftmost <c>*</c> first, then the leftmost
/// <c>+</c>/<c>-</c> — and ends with the answer line <c>A: 118</c>:
/// <code>
/// Q: 37+48*2-15=?
/// 48*2=96
/// 37+96=133
/// 133-15=118
/// A: 118
/// </code>
/// </summary>
public sealed class ArithmeticProblem : IGeneratedProblem
{
    public const string AnswerPrefix = "A: ";

    public ArithmeticProblem(IReadOnlyList<long> numbers, IReadOnlyList<char> operators, int level)
    {
        if (numbers.Count != operators.Count + 1 || numbers.Count < 2)
        {
            throw new ArgumentException("an expression has at least two numbers and one operator fewer than numbers");
        }

        Numbers = numbers.ToArray();
        Operators = operators.ToArray();
        Level = level;
        var expression = new StringBuilder();
        for (var i = 0; i < Numbers.Count; i++)
        {
            if (i > 0)
            {
                expression.Append(Operators[i - 1]);
            }

            expression.Append(Numbers[i].ToString(CultureInfo.InvariantCulture));
        }

        Expression = expression.ToString();
        Steps = Solve(Numbers, Operators);
        Answer = Steps[^1].Result;
    }

    public IReadOnlyList<long> Numbers { get; }

    public IReadOnlyList<char> Operators { get; }

    /// <summary>Difficulty: the number of operators (steps).</summary>
    public int Level { get; }

    public string Expression { get; }

    public long Answer { get; }

    /// <summary>The canonical steps, one per operator.</summary>
    public IReadOnlyList<ArithmeticStep> Steps { get; }

    /// <summary>What the model is given: <c>Q: EXPR=?</c> and a newline.</summary>
    public string Prompt => $"Q: {Expression}=?\n";

    public string AnswerLine => AnswerPrefix + Answer.ToString(CultureInfo.InvariantCulture);

    /// <summary>The canonical solution: one line per step, then the answer line (no trailing newline).</summary>
    public string Solution => string.Join("\n", Steps.Select(s => s.ToString()).Append(AnswerLine));

    string IGeneratedProblem.AnswerText => Answer.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => Expression;

    bool IGeneratedProblem.IsCorrect(string output) => ArithmeticTask.Answer(output) == Answer;

    IReadOnlyList<bool> IGeneratedProblem.CheckSteps(string solution) => ArithmeticChecker.CheckSteps(this, solution);

    string IGeneratedProblem.Corrupt(Random random) => CorruptedSolutions.Draw(this, random);

    /// <summary>The canonical steps: the leftmost <c>*</c> first, then the leftmost <c>+</c> or <c>-</c>.</summary>
    public static IReadOnlyList<ArithmeticStep> Solve(IReadOnlyList<long> numbers, IReadOnlyList<char> operators)
    {
        var values = numbers.ToList();
        var ops = operators.ToList();
        var steps = new List<ArithmeticStep>();
        while (ops.Count > 0)
        {
            var step = NextStep(values, ops, out var at);
            steps.Add(step);
            values[at] = step.Result;
            values.RemoveAt(at + 1);
            ops.RemoveAt(at);
        }

        return steps;
    }

    /// <summary>The canonical next step of a partly reduced expression, and the operator index it reduces.</summary>
    internal static ArithmeticStep NextStep(IReadOnlyList<long> values, IReadOnlyList<char> ops, out int at)
    {
        at = -1;
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i] == ArithmeticOperator.Multiply)
            {
                at = i;
                break;
            }
        }

        at = at < 0 ? 0 : at;
        return new ArithmeticStep(values[at], ops[at], values[at + 1], ArithmeticOperator.Apply(ops[at], values[at], values[at + 1]));
    }
}
