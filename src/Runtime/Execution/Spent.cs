namespace Tts.Runtime.Execution;

/// <summary>
/// What one run cost. Tokens: sampled tokens over all its particles (EOS included, prompt excluded).
/// Model calls: batched forward passes its particles took part in (the shared prefill counts once).
/// Reward calls: texts its rewards, verifiers and extractors scored (one per particle, or one for a single text).
/// </summary>
public sealed record Spent(long Tokens, long ModelCalls, long RewardCalls = 0);
