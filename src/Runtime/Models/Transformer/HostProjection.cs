using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>What the C# projection kernels (<see cref="SmallBatchProjection"/>, <see cref="ManyRowProjection"/>) take.</summary>
internal static class HostProjection
{
    /// <summary>512-bit vectors where the machine accelerates them: fixed for the process, as a kernel's sum order may depend on it.</summary>
    public static readonly bool Wide = Vector512.IsHardwareAccelerated;

    /// <summary>Work (multiply-adds) below which one thread does it all: splitting costs more than it saves.</summary>
    private const long MinimumParallelWork = 1L << 20;

    private const int ChunksPerThread = 4;

    private static readonly bool HardwareSupported = Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>
    /// Whether <paramref name="x"/> is <c>[rows, in]</c> with 1 ≤ rows ≤ <paramref name="maximumRows"/> and
    /// <paramref name="weight"/> <c>[out, in]</c>, both float32, contiguous and on the CPU, on a machine with FMA.
    /// </summary>
    public static bool Takes(Tensor x, Tensor weight, long maximumRows) =>
        HardwareSupported
        && x.dim() == 2 && weight.dim() == 2
        && x.size(0) >= 1 && x.size(0) <= maximumRows
        && x.size(1) == weight.size(1)
        && x.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU
        && x.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32
        && x.is_contiguous() && weight.is_contiguous();

    /// <summary>The <c>[rows, out]</c> result of <paramref name="x"/>·<paramref name="weight"/>ᵀ, uninitialized, once the width is checked.</summary>
    public static Tensor NewResult(Tensor x, Tensor weight, bool wide)
    {
        if (wide && !Vector512.IsHardwareAccelerated)
        {
            throw new ArgumentException("512-bit vectors are not accelerated on this machine.", nameof(wide));
        }

        return torch.empty([x.size(0), weight.size(0)], ScalarType.Float32, x.device);
    }

    /// <summary>
    /// <paramref name="range"/>(first, end) over the outputs <c>[0, out)</c> in parts of whole <paramref name="block"/>s
    /// (the kernel's), run by <see cref="HostParallel"/>: one after another when the product is small, else on the host
    /// team. Several parts per thread: on a shared machine a descheduled thread holds up the step by one part, not by its
    /// whole share (the other threads take the parts it has not started).
    /// </summary>
    public static void ForEachRange(int rows, int inFeatures, int outFeatures, int block, int threads, Action<int, int> range)
    {
        var blocks = (outFeatures + block - 1) / block;
        var parts = Math.Min(ChunksPerThread * Math.Max(threads, 1), blocks);
        HostParallel.For(parts, (long)rows * inFeatures * outFeatures, MinimumParallelWork, threads, part =>
            range((int)Math.Min((long)block * (blocks * part / parts), outFeatures), (int)Math.Min((long)block * (blocks * (part + 1) / parts), outFeatures)));
    }
}
