namespace Tts.Runtime.Execution;

/// <summary>
/// What one run cost. Tokens: sampled tokens over all its particles (EOS included, prompt excluded; a draft model's
/// too). Model calls: batched forward passes its particles took part in (a prefill counts once). Reward calls: texts
/// its rewards, verifiers and extractors scored (one per particle, or one for a single text). Seconds: wall time of
/// the batch the run was part of (runs of a batch move together, so they share it). Redrawn tokens: of the tokens, those
/// <c>reextend</c> redrew with its model (step speculation's large-model tokens).
/// </summary>
public sealed record Spent(long Tokens, long ModelCalls, long RewardCalls = 0, double Seconds = 0, long RedrawnTokens = 0);
