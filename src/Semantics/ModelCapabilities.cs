namespace Tts.Semantics;

/// <summary>
/// What a model backend can give the runtime. Statements need some of these (a mask inside smc needs the allowed mass
/// of the full distribution; speculative sampling needs both full distributions). The compiler reads a strategy's
/// needs from its IR and the runtime refuses, before a run, a bound model that lacks one: shared by both, so here.
/// </summary>
[System.Flags]
public enum ModelCapabilities
{
    None = 0,

    /// <summary>Full next-token log-probabilities over the vocabulary (what an in-process decode state returns): our own sampler, masks and weights run on them.</summary>
    FullDistribution = 1,

    /// <summary>The log-probability of each token the backend itself sampled (server-side sampling).</summary>
    SampledTokenLogProbs = 2,

    /// <summary>Log-probabilities of given text (prompt scoring, e.g. a judge's "Yes").</summary>
    TextScoring = 4,

    /// <summary>Token masks applied by the backend (allowed token ids / logit bias).</summary>
    Masks = 8,

    /// <summary>A seed per request, so a rerun repeats its draws.</summary>
    Seeds = 16,

    /// <summary>Rows continuing one prompt share its state (prefilled once) instead of recomputing it.</summary>
    SharedPrefix = 32,

    All = FullDistribution | SampledTokenLogProbs | TextScoring | Masks | Seeds | SharedPrefix,
}
