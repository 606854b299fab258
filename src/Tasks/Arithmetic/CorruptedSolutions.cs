using System.Globalization;

namespace Tts.Tasks.Arithmetic;

/// <summary>
/// Hard negatives for the process reward model: a problem's canonical solution up to one line whose result is slightly
/// wrong (one digit changed, or off by a small amount or by ten), cut after that line. The policy makes such slips too
/// rarely for a reward model to learn to check arithmetic from its samples alone (measured: trained on them only, it
/// scored "11*4=45" 0.988, as high as "11*4=44"; with these it scores it 0.002). The labels come from the exact checker.
/// Known limit: the later lines of a solution that slipped are learned from the policy's samples only, and the model
/// often scores a consistent answer line after a slip high again (measured 0.95); carrying the slip on in these
/// negatives fixed that but, at the same training length, made the model worse overall (held-out 75% against 90%).
/// </summary>
public static class CorruptedSolutions
{
    private static readonly long[] Offsets = [1, 2, 3, 10, 20];

    /// <summary>A solution prefix whose last line is the canonical one with its result changed.</summary>
    public static string Draw(ArithmeticProblem problem, Random random)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(random);
        var lines = problem.Steps.Select(s => s.ToString()).ToList();
        var at = random.Next(lines.Count + 1);
        var kept = lines.Take(at).ToList();
        if (at < lines.Count)
        {
            var step = problem.Steps[at];
            kept.Add((step with { Result = Corrupt(step.Result, random) }).ToString());
        }
        else
        {
            kept.Add(ArithmeticProblem.AnswerPrefix + Corrupt(problem.Answer, random).ToString(CultureInfo.InvariantCulture));
        }

        return string.Join("\n", kept);
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
