namespace Tts.Cli.Eval;

/// <summary>The Wilson score interval of a binomial proportion (95%: z = 1.959964), sound at 0 and n successes too.</summary>
internal static class WilsonInterval
{
    public const double Z95 = 1.959963984540054;

    public static (double Low, double High) Of(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        var p = (double)successes / trials;
        var z2 = z * z;
        var center = (p + z2 / (2 * trials)) / (1 + z2 / trials);
        var half = z / (1 + z2 / trials) * Math.Sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials));
        return (Math.Max(0, center - half), Math.Min(1, center + half));
    }
}
