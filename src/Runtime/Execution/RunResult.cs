namespace Tts.Runtime.Execution;

/// <summary>
/// The output of one independent run: its index, returned value (string, long, double or bool; a list of texts for
/// a strategy returning a population; null when the run produced none, e.g. a rejection sampler with no fallback that
/// accepted nothing) and cost.
/// </summary>
public sealed record RunResult(int Run, object? Output, Spent Spent)
{
    /// <summary>The result without its wall time, which differs between any two executions: what reproducibility compares.</summary>
    public RunResult Untimed() => this with { Spent = Spent with { Seconds = 0 } };
}
