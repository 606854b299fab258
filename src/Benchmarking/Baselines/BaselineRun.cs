namespace Tts.Benchmarking.Baselines;

/// <summary>What one batch of a loop cost: wall seconds, tokens sampled (EOS included), and for a particle filter the
/// seconds spent resampling (ESS test, ancestor draw, KV reorder, bookkeeping) and how many times it resampled.</summary>
public sealed record BaselineRun(double Seconds, long Tokens, double ResampleSeconds = 0, int Resamplings = 0);
