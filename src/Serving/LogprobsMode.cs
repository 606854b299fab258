namespace Tts.Serving;

/// <summary>Which next-token law the log-probabilities of a completion describe (vLLM's <c>--logprobs-mode</c>).</summary>
public enum LogprobsMode
{
    /// <summary>
    /// The law the token was sampled from: the model's log-probabilities after <c>logit_bias</c>,
    /// <c>allowed_token_ids</c>, temperature, top-k, top-p and min-p, renormalized (vLLM's <c>processed_logprobs</c>).
    /// A sampled token's log-probability is then exactly its proposal probability.
    /// </summary>
    Processed,

    /// <summary>The model's own next-token log-probabilities, before any of those (vLLM's default <c>raw_logprobs</c>).</summary>
    Raw,
}
