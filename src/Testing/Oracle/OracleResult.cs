using Tts.Language.Binding.BoundTree;

namespace Tts.Testing.Oracle;

/// <summary>
/// What the oracle knows about one strategy under given models, functions and arguments.
/// <see cref="Output"/> is the exact law of what one run returns (null when the oracle cannot enumerate it, e.g.
/// the finite-N law of an smc block; <see cref="OutputUnavailable"/> says why). <see cref="Target"/> is the law the
/// strategy's guarantee refers to: the population's target (its decoding law, or γ(x) ∝ p(x)·exp(Σ factors)·
/// Π 1[conditions] after an smc block), conditioned for <c>first</c>, pushed through any function of the value.
/// <see cref="ClaimedPart"/> is the part of the output law the claim is about: the output itself, or for a
/// rejection sampler its law given that a draw passed. For a population-valued strategy the laws are those of one
/// particle. <see cref="LogEvidence"/> is log Σ_x p(x)·exp(Σ factors)·Π 1[conditions] of the last smc block.
/// </summary>
public sealed record OracleResult(
    BoundStrategy Strategy,
    Distribution? Output,
    Distribution? ClaimedPart,
    Distribution? Target,
    string? OutputUnavailable,
    double? LogEvidence)
{
    public Language.Binding.Guarantees.Guarantee Guarantee => Strategy.Guarantee.Level;
}
