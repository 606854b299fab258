namespace Tts.Runtime.Execution;

/// <summary>
/// The output of one independent run: its index, returned value (string, long, double or bool; null when the run
/// produced none, e.g. a rejection sampler with no fallback that accepted nothing) and cost.
/// </summary>
public sealed record RunResult(int Run, object? Output, Spent Spent);
