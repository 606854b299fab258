namespace Tts.Testing.Statistics;

/// <summary>
/// The false-failure budget of a suite's statistical tests (TESTING.md, "Budget alpha"): at most
/// <see cref="Family"/> chance per run of the suite that some correct code fails a statistical assertion.
/// </summary>
/// <remarks>
/// The budget is split evenly across every statistical assertion of the suite, so a suite keeps one registry
/// with their count (this repository's is <c>tests/TestSupport/Statistics/StatisticalAssertions.cs</c>); an
/// assertion inside an FsCheck property counts once per generated case. A test takes its alpha as
/// <c>AlphaBudget.PerAssertion(count)</c> and asserts that its sample size reaches the required sample size
/// (<see cref="ChiSquare.RequiredSampleSize"/>, <see cref="Hoeffding.RequiredSampleSize"/>,
/// <see cref="Dkw.RequiredSampleSize"/>) at that alpha, so adding assertions shrinks everyone's alpha and any test
/// whose draws no longer suffice fails loudly instead of silently losing power.
/// </remarks>
public static class AlphaBudget
{
    public const double Family = 1e-6;

    public static double PerAssertion(int assertionsInSuite)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(assertionsInSuite, 1);
        return Family / assertionsInSuite;
    }
}
