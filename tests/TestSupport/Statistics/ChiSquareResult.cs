using System.Globalization;
using Xunit;

namespace Tts.TestSupport.Statistics;

/// <summary>The outcome of a Pearson chi-square goodness-of-fit test.</summary>
public sealed record ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue)
{
    /// <summary>Fails the test when the data reject the expected law at level <paramref name="alpha"/>.</summary>
    public void AssertNotRejected(double alpha)
    {
        if (!(PValue >= alpha))
        {
            Assert.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"Chi-square rejects the expected law: X² = {Statistic:R}, df = {DegreesOfFreedom}, p = {PValue:R} < alpha = {alpha:R}."));
        }
    }
}
