using Tts.Runtime.Resampling;
using Tts.TestSupport;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Resampling;

/// <summary>
/// Exact laws of the offspring counts, by enumerating every random choice (TESTING.md, "exact before
/// statistical"): each scheme's ancestors are piecewise constant in its uniforms, with breakpoints where a
/// point crosses a running sum. The code under test is evaluated at the midpoint of every piece and each piece
/// weighted by its length, so means and variances come out exact up to rounding.
/// </summary>
public sealed class ResamplerExactLawTests
{
    private const double Exact = 1e-12;

    public static TheoryData<double[]> Weights => new()
    {
        { [0.43, 0.27, 0.19, 0.11] },
        { [0.05, 0.6, 0.35] },
        { [0.2, 0.0, 0.3, 0.1, 0.25, 0.15] }, // a dead particle
        { [0.25, 0.25, 0.25, 0.25] }, // N·w̄ integer: no randomness left for systematic and residual
        { [0.9, 0.1] },
    };

    [Theory]
    [MemberData(nameof(Weights))]
    public void OffspringMeans_AreNTimesTheWeights_AndVariancesAreOrdered(double[] weights)
    {
        var particles = weights.Length;
        var logWeights = Array.ConvertAll(weights, Math.Log);
        var expected = weights.Select(w => particles * w).ToArray();
        var pieces = ResamplingPieces.Of(weights);

        var multinomial = SlotIndependentLaw(Resampler.Multinomial, logWeights, pieces);
        var stratified = SlotIndependentLaw(Resampler.Stratified, logWeights, pieces);
        var residual = SlotIndependentLaw(Resampler.Residual, logWeights, pieces);
        var systematic = SystematicLaw(logWeights, pieces);

        for (var i = 0; i < particles; i++)
        {
            foreach (var (name, law) in new[] { ("multinomial", multinomial), ("stratified", stratified), ("residual", residual), ("systematic", systematic) })
            {
                Assert.True(Math.Abs(law.Mean[i] - expected[i]) <= Exact, $"{name}: E[count_{i}] = {law.Mean[i]:R}, expected {expected[i]:R}.");
            }

            var f = expected[i] - Math.Floor(expected[i]);
            var remainder = particles - expected.Sum(Math.Floor);
            var rho = remainder == 0 ? 0.0 : f / remainder;
            Assert.Equal(particles * weights[i] * (1 - weights[i]), multinomial.Variance[i], Exact);
            Assert.Equal(f * (1 - f), systematic.Variance[i], Exact);
            Assert.Equal(remainder * rho * (1 - rho), residual.Variance[i], Exact);
            Assert.True(systematic.Variance[i] <= stratified.Variance[i] + Exact, $"particle {i}: systematic {systematic.Variance[i]:R} > stratified {stratified.Variance[i]:R}");
            Assert.True(stratified.Variance[i] <= multinomial.Variance[i] + Exact, $"particle {i}: stratified {stratified.Variance[i]:R} > multinomial {multinomial.Variance[i]:R}");
            Assert.True(residual.Variance[i] <= multinomial.Variance[i] + Exact, $"particle {i}: residual {residual.Variance[i]:R} > multinomial {multinomial.Variance[i]:R}");
        }
    }

    /// <summary>
    /// For schemes whose slot j depends on u_j alone, with the u_j independent: P(slot j → i) by running every
    /// slot at each piece's midpoint; a count is then a sum of independent Bernoullis.
    /// </summary>
    private static (double[] Mean, double[] Variance) SlotIndependentLaw(Resampler resampler, double[] logWeights, (double Middle, double Length)[] pieces)
    {
        var particles = logWeights.Length;
        var ancestors = RunAtMidpoints(resampler, logWeights, pieces, particles);
        var mean = new double[particles];
        var variance = new double[particles];
        for (var j = 0; j < particles; j++)
        {
            var chosen = new double[particles];
            for (var m = 0; m < pieces.Length; m++)
            {
                chosen[ancestors[m * particles + j]] += pieces[m].Length;
            }

            for (var i = 0; i < particles; i++)
            {
                mean[i] += chosen[i];
                variance[i] += chosen[i] * (1 - chosen[i]);
            }
        }

        return (mean, variance);
    }

    /// <summary>Systematic: one uniform drives every slot, so the count's law is read off piece by piece.</summary>
    private static (double[] Mean, double[] Variance) SystematicLaw(double[] logWeights, (double Middle, double Length)[] pieces)
    {
        var particles = logWeights.Length;
        var ancestors = RunAtMidpoints(Resampler.Systematic, logWeights, pieces, lanes: 1);
        var counts = Enumerable.Range(0, pieces.Length)
            .Select(m => ResamplingData.Counts(ancestors.AsSpan(m * particles, particles).ToArray(), particles))
            .ToArray();
        var mean = Enumerable.Range(0, particles).Select(i => pieces.Select((p, m) => p.Length * counts[m][i]).Sum()).ToArray();
        var variance = Enumerable.Range(0, particles)
            .Select(i => pieces.Select((p, m) => p.Length * (counts[m][i] - mean[i]) * (counts[m][i] - mean[i])).Sum())
            .ToArray();
        return (mean, variance);
    }

    /// <summary>One run per piece, every lane holding the piece's midpoint; tensor and reference must agree.</summary>
    private static long[] RunAtMidpoints(Resampler resampler, double[] logWeights, (double Middle, double Length)[] pieces, int lanes)
    {
        var particles = logWeights.Length;
        using var weights = tensor(logWeights, [1, particles], float64);
        using var repeated = weights.repeat(pieces.Length, 1);
        using var uniforms = tensor(pieces.Select(p => p.Middle).ToArray(), [pieces.Length, 1], float64);
        using var lanesOfUniforms = uniforms.repeat(1, lanes);
        using var result = resampler.ResampleWithUniforms(repeated, lanesOfUniforms);
        var ancestors = result.Ancestors.data<long>().ToArray();
        for (var m = 0; m < pieces.Length; m++)
        {
            var reference = resampler.ResampleReferenceWithUniforms(logWeights, _ => pieces[m].Middle).Ancestors;
            Assert.Equal(reference, ancestors.AsSpan(m * particles, particles).ToArray());
        }

        return ancestors;
    }
}
