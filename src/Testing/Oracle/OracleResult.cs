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
/// particle. <see cref="Reachable"/> is a law whose support holds every value a run can return, also where the output
/// law is not enumerated (search, race with several finishers, rank, selections over a weighted population): the law of
/// one particle before any selection, for support checks and as a reference law. <see cref="LogEvidence"/> is log Σ_x p(x)·exp(Σ factors)·Π 1[conditions] of the last smc block.
/// </summary>
public sealed record OracleResult(
    BoundStrategy Strategy,
    Distribution? Output,
    Distribution? ClaimedPart,
    Distribution? Target,
    string? OutputUnavailable,
    double? LogEvidence,
    Distribution? Reachable = null)
{
    public Language.Binding.Guarantees.Guarantee Guarantee => Strategy.Guarantee.Level;
}
