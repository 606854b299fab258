using TorchSharp;

namespace Tts.Runtime.Models.Transformer;

/// <summary>Where a transformer runs.</summary>
public enum DevicePreference
{
    /// <summary>CUDA when <c>torch.cuda.is_available()</c>, else CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

/// <summary>How a transformer model is loaded and how much KV cache it may allocate.</summary>
public sealed record TransformerOptions
{
    public DevicePreference Device { get; init; } = DevicePreference.Auto;

    /// <summary>
    /// The most bytes the KV cache of one decode state may take; an allocation that would pass it fails with a
    /// <see cref="ModelException"/> before anything is allocated. Default: half the memory .NET sees, at most 16 GiB.
    /// </summary>
    public long MaxKvCacheBytes { get; init; } = Math.Min(16L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    internal torch.Device ResolveDevice() => Device switch
    {
        DevicePreference.Cpu => torch.CPU,
        DevicePreference.Cuda => torch.cuda.is_available()
            ? torch.CUDA
            : throw new ModelException("CUDA was requested, but torch.cuda.is_available() is false on this machine"),
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };
}
