namespace Tts.Semantics;

/// <summary>The resampler of an <c>smc</c> loop (<c>None</c>: never resample).</summary>
public enum ResampleMethod
{
    None,
    Multinomial,
    Stratified,
    Systematic,
    Residual,
}
