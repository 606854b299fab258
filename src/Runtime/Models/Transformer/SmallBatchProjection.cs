using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// <c>x·Wᵀ</c> for a decode step of 1–16 rows on the CPU, computed in C# straight from the tensors' memory: each row
/// of W <c>[out, in]</c> is read once and dotted with up to four rows of x at a time (x stays in the first-level
/// cache), and the outputs are split into contiguous ranges over the torch threads when the product is large enough to
/// pay for it. At these row counts libtorch's GEMM reads a weight matrix at a fraction of its speed (2–4 rows cost up
/// to twice one row for the same bytes, and its one-row product runs on one thread whatever the thread count), and on
/// a small model each <c>linear</c> costs more in dispatch than the arithmetic (<c>docs/performance.md</c>, "Small-N
/// projections in C#").
/// <para>
/// Every output is one thread's dot product in a fixed order (two 8-lane accumulators over 16-element chunks, then
/// the lanes summed, then a scalar tail), whatever the number of rows or threads: a row's result does not depend on
/// which other rows share its step or on the thread count. It differs from libtorch's sum order, so logits differ from
/// <c>linear</c>'s in float32 rounding only.
/// </para>
/// </summary>
internal static class SmallBatchProjection
{
    /// <summary>Work (multiply-adds) below which one thread does it all: splitting costs more than it saves.</summary>
    private const long MinimumParallelWork = 1L << 20;

    private const int ChunksPerThread = 4;

    /// <summary>
    /// Rows up to which this beats libtorch's GEMM: 16 while four rows of x fit beside a weight row in the first-level
    /// cache (in ≤ 1024), else 8 (measured on the llama-110m shapes; from 32 rows libtorch's blocked GEMM is faster).
    /// </summary>
    private static long MaximumRows(long inFeatures) => inFeatures <= 1024 ? 16 : 8;

    private static readonly bool HardwareSupported = Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>Whether <see cref="Compute"/> takes <paramref name="x"/> <c>[rows, in]</c> and <paramref name="weight"/> <c>[out, in]</c>.</summary>
    public static bool Applies(Tensor x, Tensor weight) =>
        HardwareSupported
        && x.dim() == 2 && weight.dim() == 2
        && x.size(0) >= 1 && x.size(0) <= MaximumRows(weight.size(1))
        && x.size(1) == weight.size(1)
        && x.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU
        && x.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32
        && x.is_contiguous() && weight.is_contiguous();

    /// <summary><c>x·Wᵀ</c> <c>[rows, out]</c>, a new tensor in the caller's dispose scope. Only where <see cref="Applies"/>.</summary>
    public static unsafe Tensor Compute(Tensor x, Tensor weight, int threads)
    {
        var (rows, inFeatures, outFeatures) = ((int)x.size(0), (int)x.size(1), (int)weight.size(0));
        var result = torch.empty([rows, outFeatures], ScalarType.Float32, x.device);
        var w = (nint)DataPointer(weight);
        var input = (nint)DataPointer(x);
        var output = (nint)DataPointer(result);
        threads = (long)rows * inFeatures * outFeatures < MinimumParallelWork ? 1 : Math.Max(threads, 1);
        if (threads == 1)
        {
            Range((float*)w, (float*)input, (float*)output, inFeatures, outFeatures, rows, 0, outFeatures);
        }
        else
        {
            // Several chunks per thread: on a shared machine a descheduled thread holds up the step by one chunk, not by
            // its whole share (the calling thread takes the chunks no one has started).
            var parts = Math.Min(ChunksPerThread * threads, outFeatures);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
                Range((float*)w, (float*)input, (float*)output, inFeatures, outFeatures, rows,
                    (int)((long)outFeatures * part / parts), (int)((long)outFeatures * (part + 1) / parts)));
        }

        GC.KeepAlive(x);
        GC.KeepAlive(weight);
        return result;
    }

    /// <summary>The first element's address (<c>data_ptr</c>: the storage offset included).</summary>
    private static unsafe float* DataPointer(Tensor tensor)
    {
        var pointer = THSTensor_data(tensor.Handle);
        return pointer != IntPtr.Zero ? (float*)pointer : throw new InvalidOperationException("A tensor without data.");
    }

    /// <summary>Outputs <c>[first, end)</c> of every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void Range(float* w, float* x, float* y, int inFeatures, int outFeatures, int rows, int first, int end)
    {
        for (var o = first; o < end; o++)
        {
            var weightRow = w + (long)o * inFeatures;
            var r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                DotFour(weightRow, x + (long)r * inFeatures, inFeatures, y + (long)r * outFeatures + o, outFeatures);
            }

            for (; r < rows; r++)
            {
                y[(long)r * outFeatures + o] = Dot(weightRow, x + (long)r * inFeatures, inFeatures);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe float Dot(float* w, float* x, int n)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var i = 0;
        for (; i + 16 <= n; i += 16)
        {
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 8), Vector256.Load(x + i + 8), a1);
        }

        var sum = Vector256.Sum(a0 + a1);
        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(w[i], x[i], sum);
        }

        return sum;
    }

    /// <summary>Four rows of x against one weight row, each summed exactly as <see cref="Dot"/> sums it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void DotFour(float* w, float* x0, int n, float* y, int stride)
    {
        var x1 = x0 + n;
        var x2 = x1 + n;
        var x3 = x2 + n;
        Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
        var i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var low = Vector256.Load(w + i);
            var high = Vector256.Load(w + i + 8);
            a0 = Vector256.FusedMultiplyAdd(low, Vector256.Load(x0 + i), a0);
            a1 = Vector256.FusedMultiplyAdd(high, Vector256.Load(x0 + i + 8), a1);
            b0 = Vector256.FusedMultiplyAdd(low, Vector256.Load(x1 + i), b0);
            b1 = Vector256.FusedMultiplyAdd(high, Vector256.Load(x1 + i + 8), b1);
            c0 = Vector256.FusedMultiplyAdd(low, Vector256.Load(x2 + i), c0);
            c1 = Vector256.FusedMultiplyAdd(high, Vector256.Load(x2 + i + 8), c1);
            d0 = Vector256.FusedMultiplyAdd(low, Vector256.Load(x3 + i), d0);
            d1 = Vector256.FusedMultiplyAdd(high, Vector256.Load(x3 + i + 8), d1);
        }

        var (s0, s1, s2, s3) = (Vector256.Sum(a0 + a1), Vector256.Sum(b0 + b1), Vector256.Sum(c0 + c1), Vector256.Sum(d0 + d1));
        for (; i < n; i++)
        {
            s0 = MathF.FusedMultiplyAdd(w[i], x0[i], s0);
            s1 = MathF.FusedMultiplyAdd(w[i], x1[i], s1);
            s2 = MathF.FusedMultiplyAdd(w[i], x2[i], s2);
            s3 = MathF.FusedMultiplyAdd(w[i], x3[i], s3);
        }

        y[0] = s0;
        y[stride] = s1;
        y[2L * stride] = s2;
        y[3L * stride] = s3;
    }

    /// <summary>The address of a tensor's first element (TorchSharp 0.107 exposes it only through its native shim).</summary>
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);
}
