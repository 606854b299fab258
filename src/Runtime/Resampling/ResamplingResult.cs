using static TorchSharp.torch;

namespace Tts.Runtime.Resampling;

/// <summary>The outcome of one batched resampling; the caller owns (and disposes) both tensors.</summary>
/// <param name="Ancestors">[runs, N] int64 within-run indices: new particle j of run r continues old particle Ancestors[r, j].</param>
/// <param name="Alive">[runs] bool: false for a run whose particles are all dead (all log-weights −∞); its ancestors are the identity.</param>
public sealed record ResamplingResult(Tensor Ancestors, Tensor Alive) : IDisposable
{
    public void Dispose()
    {
        Ancestors.Dispose();
        Alive.Dispose();
    }
}
