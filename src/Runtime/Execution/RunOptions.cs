namespace Tts.Runtime.Execution;

/// <summary>
/// How to execute a strategy: <c>Runs</c> independent runs batched together; run i draws its randomness from
/// keys (Seed, FirstRun + i, stream, particle, step), so a run's output does not depend on how runs are batched.
/// </summary>
public sealed record RunOptions(ulong Seed = 0, int Runs = 1, int FirstRun = 0);
