namespace Tts.Runtime.Execution;

/// <summary>
/// What one run cost. Tokens: sampled tokens over all its particles (EOS included, prompt excluded).
/// Model calls: batched forward passes its particles took part in (the shared prefill counts once).
/// </summary>
public sealed record Spent(long Tokens, long ModelCalls);
