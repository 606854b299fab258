using System.Globalization;

namespace Tts.Testing.Statistics;

/// <summary>The outcome of a Pearson chi-square goodness-of-fit test.</summary>
public sealed record ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue)
{
    /// <summary>Whether the data reject the expected law at level <paramref name="alpha"/>.</summary>
    public bool IsRejected(double alpha) => !(PValue >= alpha);

    /// <summary>Throws <see cref="StatisticalAssertionException"/> when the data reject the expected law at level <paramref name="alpha"/>.</summary>
    public void AssertNotRejected(double alpha)
    {
        if (!(PValue >= alpha))
        {
            throw new StatisticalAssertionException(string.Create(
                CultureInfo.InvariantCulture,
                $"Chi-square rejects the expected law: X² = {Statistic:R}, df = {DegreesOfFreedom}, p = {PValue:R} < alpha = {alpha:R}."));
        }
    }
}
