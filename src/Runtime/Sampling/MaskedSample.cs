using static TorchSharp.torch;

namespace Tts.Runtime.Sampling;

/// <summary>The outcome of <see cref="TokenSampler.SampleMasked"/>; the caller owns (and disposes) both tensors.</summary>
/// <param name="Tokens">[N] int64 sampled ids, <see cref="TokenSampler.NoToken"/> where the allowed set has no mass.</param>
/// <param name="LogAllowedMass">[N] float64 log Σ_{allowed v} q(v) under the transformed law q; −∞ where it has no mass.</param>
public sealed record MaskedSample(Tensor Tokens, Tensor LogAllowedMass) : IDisposable
{
    public void Dispose()
    {
        Tokens.Dispose();
        LogAllowedMass.Dispose();
    }
}
