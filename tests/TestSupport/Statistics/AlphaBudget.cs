namespace Tts.TestSupport.Statistics;

/// <summary>
/// The false-failure budget of the statistical tests (TESTING.md, "Budget alpha"): at most
/// <see cref="Family"/> chance per CI run that some correct code fails a statistical assertion.
/// </summary>
/// <remarks>
/// The budget is split evenly across every statistical assertion in all test projects, so every
/// such assertion must be counted in <see cref="StatisticalAssertions.Count"/>; an assertion
/// inside an FsCheck property counts once per generated case. A test takes its alpha as
/// <c>AlphaBudget.PerAssertion(StatisticalAssertions.Count)</c> and asserts that its sample size
/// reaches <see cref="ChiSquare.RequiredSampleSize"/> at that alpha, so adding assertions shrinks
/// everyone's alpha and any test whose draws no longer suffice fails loudly instead of losing power.
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
