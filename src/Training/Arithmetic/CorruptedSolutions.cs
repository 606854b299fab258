using System.Globalization;
using Tts.Tasks.Arithmetic;

namespace Tts.Training.Arithmetic;

/// <summary>
/// Hard negatives for the process reward model: a problem's canonical solution with one slightly wrong result (one
/// digit changed, or off by a small amount or by ten), the later lines carrying the wrong value on to a wrong answer.
/// The policy makes such slips too rarely for a reward model to learn to check arithmetic from its samples alone
/// (measured: trained on the policy's samples only, the reward model scored "11*4=45" 0.988, as high as "11*4=44");
/// and carrying the slip on teaches it that a solution stays off track after one (cut after the slip, it learned to
/// check each line but scored the consistent answer line after a slip 0.95). The labels come from the exact checker.
/// </summary>
public static class CorruptedSolutions
{
    private static readonly long[] Offsets = [1, 2, 3, 10, 20];

    /// <summary>A whole solution (steps and answer line) in which one line, the step or the answer, slipped.</summary>
    public static string Draw(ArithmeticProblem problem, Random random)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(random);
        var at = random.Next(problem.Steps.Count + 1);
        var steps = at < problem.Steps.Count ? problem.StepsWithSlip(at, Corrupt(problem.Steps[at].Result, random)) : problem.Steps;
        var answer = at < problem.Steps.Count ? steps[^1].Result : Corrupt(problem.Answer, random);
        return string.Join("\n", steps.Select(s => s.ToString()).Append(ArithmeticProblem.AnswerPrefix + answer.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>A value near <paramref name="value"/> and different from it.</summary>
    private static long Corrupt(long value, Random random)
    {
        if (random.Next(2) == 0)
        {
            // One digit replaced by another: the slip keeps the number's length.
            var digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture).ToCharArray();
            var position = random.Next(digits.Length);
            var replacement = (char)('0' + random.Next(9));
            digits[position] = replacement >= digits[position] ? (char)(replacement + 1) : replacement;
            var changed = long.Parse(new string(digits), CultureInfo.InvariantCulture) * Math.Sign(value == 0 ? 1 : value);
            if (changed != value)
            {
                return changed;
            }
        }

        var offset = Offsets[random.Next(Offsets.Length)];
        return random.Next(2) == 0 ? value + offset : value - offset;
    }
}
