using Tts.Runtime.Resampling;

namespace Tts.Runtime.Tests.Resampling;

/// <summary>
/// Entropic weighting's temperature on hand-solved weights. For two live weights 1 and 9 the ESS of (1, 9^β) is
/// (1 + r)² / (1 + r²) with r = 9^β; it reaches 1.8 (f = 0.9 of N = 2) where r² − 2.5r + 1 = 0, i.e. r = 2, so
/// β = ln 2 / ln 9 = 0.315464876….
/// </summary>
public sealed class EntropicTemperingTests
{
    private static readonly double Ln9 = Math.Log(9.0);

    [Fact]
    public void Beta_brings_the_ess_up_to_the_fraction()
    {
        var beta = EntropicTempering.Beta([0.0, Ln9], 0.9);
        Assert.Equal(Math.Log(2.0) / Ln9, beta, 12);
        Assert.Equal(1.8, EntropicTempering.Ess([0.0, Ln9], beta), 10);
    }

    [Fact]
    public void Weights_that_already_meet_the_fraction_are_left_alone()
    {
        // ESS(1, 9) = 100 / 82 = 1.2195… ≥ 0.5 · 2.
        Assert.Equal(100.0 / 82.0, EntropicTempering.Ess([0.0, Ln9], 1.0), 12);
        Assert.Equal(1.0, EntropicTempering.Beta([0.0, Ln9], 0.5));
        Assert.Equal(1.0, EntropicTempering.Beta([3.0, 3.0, 3.0], 1.0));
    }

    [Fact]
    public void Dead_particles_count_in_n_but_not_in_the_ess()
    {
        // N = 3, target 0.6 · 3 = 1.8 from the two live weights 1 and 9: the same β as above; the shift by 5 changes nothing.
        Assert.Equal(Math.Log(2.0) / Ln9, EntropicTempering.Beta([double.NegativeInfinity, 5.0, 5.0 + Ln9], 0.6), 12);

        // One live particle of three can never reach an ESS of 1.5: the smallest temperature tried (near-uniform over the live).
        Assert.Equal(Math.Pow(2, -60), EntropicTempering.Beta([double.NegativeInfinity, double.NegativeInfinity, 0.0], 0.5));
        Assert.Equal(1.0, EntropicTempering.Beta([double.NegativeInfinity, double.NegativeInfinity], 0.5));
    }

    [Fact]
    public void A_fraction_outside_zero_to_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EntropicTempering.Beta([0.0, 1.0], 0.0));
}
