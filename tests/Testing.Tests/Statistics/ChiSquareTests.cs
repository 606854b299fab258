using MathNet.Numerics;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Statistics;

public sealed class ChiSquareTests
{
    [Fact]
    public void GoodnessOfFit_MatchesClosedFormPValues()
    {
        // df = 2: P(χ² > x) = e^(−x/2). Expected 25, 25, 50; X² = 1 + 1 + 0.
        var two = ChiSquare.GoodnessOfFit([30, 20, 50], [0.25, 0.25, 0.5]);
        Assert.Equal(2.0, two.Statistic, 1e-12);
        Assert.Equal(2, two.DegreesOfFreedom);
        Assert.Equal(Math.Exp(-1.0), two.PValue, 1e-12);

        // df = 1: P(χ² > 4) = erfc(√2) = 0.0455002638963584.
        var one = ChiSquare.GoodnessOfFit([60, 40], [0.5, 0.5]);
        Assert.Equal(4.0, one.Statistic, 1e-12);
        Assert.Equal(0.0455002638963584, one.PValue, 1e-12);

        // df = 4: P(χ² > x) = e^(−x/2)(1 + x/2). Expected 100 each; X² = 1 + 1.
        var four = ChiSquare.GoodnessOfFit([110, 90, 100, 100, 100], [0.2, 0.2, 0.2, 0.2, 0.2]);
        Assert.Equal(4, four.DegreesOfFreedom);
        Assert.Equal(Math.Exp(-1.0) * 2.0, four.PValue, 1e-12);
    }

    [Fact]
    public void GoodnessOfFit_IgnoresImpossibleCellsThatStayEmpty_AndFailsOnACountInOne()
    {
        var result = ChiSquare.GoodnessOfFit([30, 0, 20, 50], [0.25, 0.0, 0.25, 0.5]);
        Assert.Equal(2, result.DegreesOfFreedom);

        var failure = Assert.Throws<StatisticalAssertionException>(() => ChiSquare.GoodnessOfFit([30, 1, 19, 50], [0.25, 0.0, 0.25, 0.5]));
        Assert.Contains("Cell 1 has probability 0 but was observed 1 times", failure.Message);
    }

    [Fact]
    public void GoodnessOfFit_RefusesExpectedCountsBelowFive()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => ChiSquare.GoodnessOfFit([96, 4], [0.96, 0.04]));

        Assert.Contains("cell 1 expects 4 < 5", exception.Message);
        Assert.Contains("MergeSmallCells", exception.Message);
    }

    [Fact]
    public void AssertNotRejected_FailsBelowAlpha()
    {
        var result = ChiSquare.GoodnessOfFit([60, 40], [0.5, 0.5]); // p ≈ 0.0455

        result.AssertNotRejected(0.01);
        Assert.Throws<StatisticalAssertionException>(() => result.AssertNotRejected(0.05));
    }

    [Fact]
    public void MergeSmallCells_PoolsSmallCellsUntilTheRestIsLargeEnough()
    {
        // n = 100: expected 50, 30, 10, 6, 4, 0. The 4 is too small; alone the rest would still be 4,
        // so the next smallest (6) joins. The impossible cell stays separate.
        var merged = ChiSquare.MergeSmallCells([48, 31, 11, 7, 3, 0], [0.5, 0.3, 0.1, 0.06, 0.04, 0.0]);

        Assert.Equal([48L, 31, 11, 0, 10], merged.Observed);
        Assert.Equal([0.5, 0.3, 0.1, 0.0, 0.1], merged.Probabilities, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(3, ChiSquare.GoodnessOfFit(merged.Observed, merged.Probabilities).DegreesOfFreedom);

        var untouched = ChiSquare.MergeSmallCells([60, 40], [0.5, 0.5]);
        Assert.Equal([60L, 40], untouched.Observed);
    }

    [Fact]
    public void CriticalValue_MatchesTables()
    {
        Assert.Equal(3.841458820694124, ChiSquare.CriticalValue(1, 0.05), 1e-9);
        Assert.Equal(7.814727903251178, ChiSquare.CriticalValue(3, 0.05), 1e-9);
        Assert.Equal(-2.0 * Math.Log(1e-6), ChiSquare.CriticalValue(2, 1e-6), 1e-9); // df = 2: x = −2 ln α
    }

    [Fact]
    public void RequiredSampleSize_IsTheFewestDrawsReachingThePower()
    {
        double[] p = [0.4, 0.3, 0.2, 0.1];
        const double alpha = 1e-6, beta = 1e-3, delta = 0.02;

        var n = ChiSquare.RequiredSampleSize(p, delta, alpha, beta);

        Assert.True(ChiSquare.ApproximatePower(p, delta, alpha, n) >= 1 - beta);
        Assert.True(ChiSquare.ApproximatePower(p, delta, alpha, n - 1) < 1 - beta);

        // By hand: λ/n = δ²/0.4 + δ²/0.1 = 0.005, df = 3, and the normal approximation at n.
        var critical = ChiSquare.CriticalValue(3, alpha);
        var lambda = n * 0.005;
        var z = (3 + lambda - critical) / Math.Sqrt(2 * (3 + 2 * lambda));
        Assert.True(z >= MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - beta));

        // Smaller bugs, smaller alpha and smaller beta all need more draws.
        Assert.True(ChiSquare.RequiredSampleSize(p, delta / 2, alpha, beta) > 3 * n);
        Assert.True(ChiSquare.RequiredSampleSize(p, delta, alpha / 100, beta) > n);
        Assert.True(ChiSquare.RequiredSampleSize(p, delta, alpha, beta / 10) > n);
    }

    [Fact]
    public void RequiredSampleSize_NormalApproximationIsConservativeAgainstTheExactNoncentralLaw()
    {
        // Exact power from the Poisson mixture of central chi-squares:
        // P(X > c) = Σ_j Pois(j; λ/2) · Q((df + 2j)/2, c/2).
        double[] p = [0.517, 0.264, 0.127, 0.092];
        const double alpha = 1e-6, beta = 1e-3, delta = 0.02;
        var n = ChiSquare.RequiredSampleSize(p, delta, alpha, beta);
        var lambda = n * (delta * delta / 0.517 + delta * delta / 0.092);
        var critical = ChiSquare.CriticalValue(3, alpha);

        var power = 0.0;
        for (var j = 0; j < 2000; j++)
        {
            var logWeight = -lambda / 2 + j * Math.Log(lambda / 2) - SpecialFunctions.GammaLn(j + 1);
            power += Math.Exp(logWeight) * SpecialFunctions.GammaUpperRegularized((3 + 2.0 * j) / 2, critical / 2);
        }

        Console.WriteLine($"n = {n}: approximate power {ChiSquare.ApproximatePower(p, delta, alpha, n):R}, exact {power:R}.");
        Assert.True(power >= 1 - beta, $"Exact power {power} at n = {n} is below {1 - beta}.");
    }

    [Fact]
    public void AlphaBudget_SplitsTheFamilyRate()
    {
        Assert.Equal(1e-6, AlphaBudget.Family);
        Assert.Equal(1e-6 / 4, AlphaBudget.PerAssertion(4));
        Assert.True(StatisticalAssertions.Count >= 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => AlphaBudget.PerAssertion(0));
    }
}
