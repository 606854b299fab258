using FsCheck;
using FsCheck.Fluent;
using Tts.Runtime.Resampling;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// (x*, Ẑ) is properly weighted, E[Ẑ·1{x* = x}] = γ(x), for every resampler, by enumerating every random choice on
/// tiny instances (3 outcomes, up to 3 particles), with dead outcomes (w = 0) included; and resamplers are unbiased,
/// E[count_i] = N·w̄_i, on random log-weights from the library's generator.
/// </summary>
public sealed class ProperWeightingProperties
{
    public static TheoryData<string> Schemes => new(Resampler.All.Select(r => r.Name));

    internal static Config Replayed(int maxTest, ulong seed) =>
        Config.QuickThrowOnFailure.WithReplay(seed, 0x9E3779B97F4A7C15UL).WithMaxTest(maxTest).WithQuietOnSuccess(true);

    [Theory]
    [MemberData(nameof(Schemes))]
    public void OneStepWithResampling_IsProperlyWeighted(string scheme)
    {
        AssertProperlyWeighted(Resampler.ByName(scheme), seed: 91);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Resamplers_AreUnbiased_OnGeneratedLogWeights(string scheme)
    {
        AssertUnbiased(Resampler.ByName(scheme), seed: 92);
    }

    internal static void AssertProperlyWeighted(Resampler resampler, ulong seed)
    {
        var cases = from proposal in Gen.ArrayOf(Gen.Choose(1, 5), 3)
                    from weight in Gen.ArrayOf(Gen.Choose(0, 4), 3)
                    where weight.Sum() > 0
                    from particles in Gen.Choose(1, 3)
                    select (Proposal: proposal.Select(p => p / (double)proposal.Sum()).ToArray(), Weight: weight.Select(w => (double)w).ToArray(), Particles: particles);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var estimate = ResamplingLaws.ProperWeighting(resampler, c.Proposal, c.Weight, c.Particles);
            for (var x = 0; x < estimate.Length; x++)
            {
                Assert.True(Math.Abs(c.Proposal[x] * c.Weight[x] - estimate[x]) <= 1e-12,
                    $"{resampler}: E[Ẑ·1{{x* = {x}}}] = {estimate[x]:R}, γ = {c.Proposal[x] * c.Weight[x]:R}");
            }
        }).Check(Replayed(40, seed));
    }

    internal static void AssertUnbiased(Resampler resampler, ulong seed)
    {
        var cases = Gen.Choose(1, 6).SelectMany(Generators.WeightGenerators.LogWeights).Where(w => w.Any(double.IsFinite));
        Prop.ForAll(cases.ToArbitrary(), logWeights =>
        {
            var max = logWeights.Max();
            var total = logWeights.Sum(lw => Math.Exp(lw - max));
            var mean = ResamplingLaws.ExpectedOffspring(resampler, logWeights);
            for (var i = 0; i < logWeights.Length; i++)
            {
                var expected = logWeights.Length * Math.Exp(logWeights[i] - max) / total;
                Assert.True(Math.Abs(expected - mean[i]) <= 1e-9, $"{resampler}: E[count_{i}] = {mean[i]:R}, N·w̄ = {expected:R}");
            }
        }).Check(Replayed(100, seed));
    }
}
