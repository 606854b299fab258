namespace Tts.Serving.Scheduling;

/// <summary>
/// The log-probability of the token at one position and the top alternatives there, best first.
/// <paramref name="Rank"/> is 1 + the number of tokens strictly more likely (vLLM's rank); 0 where not computed.
/// </summary>
internal sealed record PositionLogprobs(int Token, double Logprob, IReadOnlyList<(int Id, double Logprob)> Top, int Rank = 0);
