namespace Tts.Benchmarking.Scaling;

/// <summary>
/// One point of a scaling curve: a decode step at <c>Rows</c> rows after a <c>Context</c>-token prompt, its floor on
/// this machine and which ceiling sets it, and the KV cache memory the step's state held.
/// </summary>
public sealed record ScalingPoint(
    int Rows,
    int Context,
    double PrefillSeconds,
    double StepSeconds,
    double FloorSeconds,
    RooflineBound Bound,
    KvMemory Memory)
{
    /// <summary>Generated tokens per second: one per row per step.</summary>
    public double TokensPerSecond => Rows / StepSeconds;

    public double OverFloor => StepSeconds / FloorSeconds;
}
