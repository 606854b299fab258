using MathNet.Numerics.Distributions;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Testing.Tests.Statistics;

/// <summary>
/// The power figure `tts test` prints (issue 17, item 3): the noncentral chi-square tail, the worst case over every
/// law at a total-variation distance, and a simulation of the pooled test against the worst-case law.
/// </summary>
public sealed class WorstCasePowerTests
{
    [Fact]
    public void The_noncentral_tail_matches_the_closed_form_at_one_degree_of_freedom()
    {
        // χ²₁(λ) is (Z + √λ)²: P(> x) = Φ(−√x − √λ) + Φ(√λ − √x).
        foreach (var (lambda, x) in new[] { (0.5, 1.0), (4.0, 3.84), (25.0, 30.0), (300.0, 280.0) })
        {
            var closed = Normal.CDF(0, 1, -Math.Sqrt(x) - Math.Sqrt(lambda)) + Normal.CDF(0, 1, Math.Sqrt(lambda) - Math.Sqrt(x));
            Assert.Equal(closed, ChiSquare.NoncentralUpperTail(1, lambda, x), 1e-10);
        }

        Assert.Equal(ChiSquare.UpperTail(5, 7.0), ChiSquare.NoncentralUpperTail(5, 0.0, 7.0), 15);
        Assert.Equal(1e-3, ChiSquare.NoncentralUpperTail(7, 12.0, ChiSquare.NoncentralCriticalValue(7, 12.0, 1e-3)), 1e-9);
    }

    [Fact]
    public void No_law_at_the_stated_distance_is_seen_with_less_than_the_worst_case_power()
    {
        var random = new Random(17);
        for (var trial = 0; trial < 200; trial++)
        {
            var cells = random.Next(2, 30);
            var p = Normalize(Enumerable.Range(0, cells).Select(_ => 0.05 + random.NextDouble()).ToArray());
            const long N = 5_000;
            var pooledCells = WorstCasePower.Cells(p, N).Count;
            if (pooledCells < 2)
            {
                continue;
            }

            // A random law q, then its TV from p: the worst case at that TV is a lower bound of q's power.
            var q = Normalize(p.Select(x => x * Math.Exp(0.3 * (random.NextDouble() - 0.5))).ToArray());
            var pooledP = WorstCasePower.Cells(p, N);
            var pooledQ = ChiSquare.Pool(q, ChiSquare.MergedCellsFor(N, p), (a, b) => a + b);
            var tv = 0.5 * pooledP.Zip(pooledQ).Sum(c => Math.Abs(c.First - c.Second));
            var worst = WorstCasePower.Power(p, N, 1e-4, 0.0, tv);
            var actual = WorstCasePower.AgainstAlternative(p, q, 0.0, N, 1e-4, 0.0);
            Assert.True(actual >= worst - 1e-12, $"trial {trial}: power {actual} against a law at TV {tv} is below the worst case {worst}");
        }
    }

    /// <summary>
    /// One registered statistical assertion: the pooled chi-square run against the worst-case law at the TV the
    /// figure says it catches with power ½ rejects about half the time (exact binomial test on the rejections).
    /// </summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void The_worst_case_law_is_caught_as_often_as_the_figure_says()
    {
        // Halves of mass ½ ({0, 1, 2} and {3, 4, 5}), the deviation spread in proportion to p: Σ(q − p)²/p = 4δ².
        double[] p = [0.1, 0.15, 0.25, 0.2, 0.2, 0.1];
        const long N = 2_000;
        const double Alpha = 0.01;
        var delta = WorstCasePower.SmallestDetectable(p, N, Alpha, 0.5, 0.0);
        var q = p.Select((x, k) => x * (k < 3 ? 1 + 2 * delta : 1 - 2 * delta)).ToArray();
        Assert.Equal(delta, 0.5 * p.Zip(q).Sum(c => Math.Abs(c.First - c.Second)), 12);
        Assert.Equal(4 * delta * delta, p.Zip(q).Sum(c => (c.Second - c.First) * (c.Second - c.First) / c.First), 12);

        const int Replications = 400;
        var random = new Random((int)(TestSeeds.For("worst-case-power", 5) % int.MaxValue));
        var cumulative = q.Select((_, k) => q.Take(k + 1).Sum()).ToArray();
        var rejections = 0;
        for (var r = 0; r < Replications; r++)
        {
            var counts = new long[p.Length];
            for (var i = 0; i < N; i++)
            {
                var u = random.NextDouble();
                var k = Array.FindIndex(cumulative, c => u < c);
                counts[k < 0 ? p.Length - 1 : k]++;
            }

            rejections += ChiSquare.GoodnessOfFit(counts, p).IsRejected(Alpha) ? 1 : 0;
        }

        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var below = Binomial.CDF(0.5, Replications, rejections);
        var above = 1 - Binomial.CDF(0.5, Replications, rejections - 1);
        Assert.True(Math.Min(below, above) > alpha / 2, $"{rejections} of {Replications} rejections: the figure's power ½ is off (δ = {delta})");
    }

    private static double[] Normalize(double[] values) => values.Select(v => v / values.Sum()).ToArray();
}
