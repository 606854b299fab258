using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// <c>x·Wᵀ</c> for a decode step of 1–16 rows on the CPU, computed in C# straight from the tensors' memory: four rows
/// of W <c>[out, in]</c> at a time are read once from memory and dotted with the rows of x in blocks of up to four
/// (sixteen accumulators with AVX-512, eight with AVX2, so each load feeds several multiply-adds), and the outputs are
/// split into contiguous ranges over the torch threads when the product is large enough to pay for it. At these row
/// counts libtorch's GEMM reads a weight matrix at a fraction of its speed (2–4 rows cost up to twice one row for the
/// same bytes, and its one-row product runs on one thread whatever the thread count), and on a small model each
/// <c>linear</c> costs more in dispatch than the arithmetic (<c>docs/performance.md</c>, "Small-N projections in C#").
/// <para>
/// Every output is one thread's dot product in one fixed order, whichever kernel computes it: a single vector
/// accumulator over the whole vectors of the row (16 lanes where the process uses 512-bit vectors, else 8), its lanes
/// summed, then a scalar tail. The order does not depend on the number of rows, which rows share the step, a row's
/// position in its block or the thread count, so a row's result is bit-identical whether it decodes alone or with
/// fifteen others. It differs from libtorch's sum order, so logits differ from <c>linear</c>'s in float32 rounding only.
/// </para>
/// </summary>
internal static class SmallBatchProjection
{
    /// <summary>
    /// Rows up to which this beats libtorch's GEMM on the llama-110m shapes, in = 2048 included (measured at 1 and 2
    /// threads, 2026-12-02; from 32 rows libtorch's blocked GEMM is faster).
    /// </summary>
    private const long MaximumRows = 16;

    /// <summary>Whether <see cref="Compute"/> takes <paramref name="x"/> <c>[rows, in]</c> and <paramref name="weight"/> <c>[out, in]</c>.</summary>
    public static bool Applies(Tensor x, Tensor weight) => HostProjection.Takes(x, weight, MaximumRows);

    /// <summary><c>x·Wᵀ</c> <c>[rows, out]</c>, a new tensor in the caller's dispose scope. Only where <see cref="Applies"/>.</summary>
    public static Tensor Compute(Tensor x, Tensor weight, int threads) => Compute(x, weight, threads, HostProjection.Wide);

    /// <summary>
    /// <see cref="Compute(Tensor, Tensor, int)"/> with the vector width chosen by the caller: the tests check the 256-bit
    /// path on a machine whose process default is 512.
    /// </summary>
    internal static unsafe Tensor Compute(Tensor x, Tensor weight, int threads, bool wide)
    {
        var (rows, inFeatures, outFeatures) = ((int)x.size(0), (int)x.size(1), (int)weight.size(0));
        var result = HostProjection.NewResult(x, weight, wide);
        var w = (nint)TensorMemory.Floats(weight);
        var input = (nint)TensorMemory.Floats(x);
        var output = (nint)TensorMemory.Floats(result);
        HostProjection.ForEachRange(rows, inFeatures, outFeatures, block: 4, threads, (first, end) =>
            Range(wide, (float*)w, (float*)input, (float*)output, inFeatures, outFeatures, rows, first, end));
        GC.KeepAlive(x);
        GC.KeepAlive(weight);
        return result;
    }

    private static unsafe void Range(bool wide, float* w, float* x, float* y, int inFeatures, int outFeatures, int rows, int first, int end)
    {
        if (wide)
        {
            Range<Float512Lanes, Vector512<float>>(w, x, y, inFeatures, outFeatures, rows, first, end);
        }
        else
        {
            Range<Float256Lanes, Vector256<float>>(w, x, y, inFeatures, outFeatures, rows, first, end);
        }
    }

    /// <summary>Outputs <c>[first, end)</c> of every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void Range<TLanes, TVector>(
        float* w, float* x, float* y, int inFeatures, int outFeatures, int rows, int first, int end)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        // Kernel calls per four-row weight block: blocks of four rows of x (AVX-512 only), then two, then one.
        var fours = TLanes.ThirtyTwoRegisters ? rows / 4 : 0;
        var calls = fours + (rows - 4 * fours) / 2 + (rows - 4 * fours) % 2;
        var o = first;
        for (; o + 4 <= end; o += 4)
        {
            // Four weight rows (3–8 KB each) stay in the first- or second-level cache while every row of x passes them.
            var weights = w + (long)o * inFeatures;
            // The kernels on a block fetch the range's next block as they go (the hardware prefetcher alone leaves one
            // thread's weight stream well below the memory bandwidth), each a share of its four rows, so that the memory
            // stays busy through every kernel rather than the first alone; past the range's end they touch their own block.
            var next = o + 8 <= end ? weights + 4L * inFeatures : null;
            var call = 0;
            var r = 0;
            if (TLanes.ThirtyTwoRegisters)
            {
                for (; r + 4 <= rows; r += 4)
                {
                    var (ahead, count) = ShareRows(weights, next, inFeatures, call++, calls);
                    FourByFour<TLanes, TVector>(weights, (float*)ahead, inFeatures, count, x + (long)r * inFeatures, inFeatures, y + (long)r * outFeatures + o, outFeatures);
                }
            }

            for (; r + 2 <= rows; r += 2)
            {
                var (ahead, stride) = Share(weights, next, inFeatures, call++, calls);
                FourByTwo<TLanes, TVector>(weights, (float*)ahead, stride, x + (long)r * inFeatures, inFeatures, y + (long)r * outFeatures + o, outFeatures);
            }

            for (; r < rows; r++)
            {
                var (ahead, stride) = Share(weights, next, inFeatures, call++, calls);
                FourByOne<TLanes, TVector>(weights, (float*)ahead, stride, x + (long)r * inFeatures, inFeatures, y + (long)r * outFeatures + o);
            }
        }

        for (; o < end; o++)
        {
            for (var r = 0; r < rows; r++)
            {
                y[(long)r * outFeatures + o] = Dot<TLanes, TVector>(w + (long)o * inFeatures, x + (long)r * inFeatures, inFeatures);
            }
        }
    }

    /// <summary>
    /// The one sum order: a single accumulator over the whole vectors of the row, its lanes summed in the fixed tree of
    /// <see cref="IFloatLanes{TVector}.SumFour"/>, then a scalar tail. Four outputs of one row of x at
    /// <paramref name="y"/> from the accumulators of four consecutive weight rows starting at <paramref name="w0"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FinishFour<TLanes, TVector>(
        TVector a0, TVector a1, TVector a2, TVector a3, float* w0, float* x, int whole, int n, float* y)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        var sums = TLanes.SumFour(a0, a1, a2, a3);
        if (whole == n)
        {
            sums.Store(y);
            return;
        }

        for (var k = 0; k < 4; k++)
        {
            var w = w0 + (long)k * n;
            var result = sums.GetElement(k);
            for (var i = whole; i < n; i++)
            {
                result = MathF.FusedMultiplyAdd(w[i], x[i], result);
            }

            y[k] = result;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe float Dot<TLanes, TVector>(float* w, float* x, int n)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        var whole = n - n % TLanes.Count;
        var a = TLanes.Zero;
        for (var i = 0; i < whole; i += TLanes.Count)
        {
            a = TLanes.MultiplyAdd(TLanes.Load(w + i), TLanes.Load(x + i), a);
        }

        // The same tree as four outputs' (each lane of the four-way sum is summed on its own).
        var result = TLanes.SumFour(a, a, a, a).ToScalar();
        for (var i = whole; i < n; i++)
        {
            result = MathF.FusedMultiplyAdd(w[i], x[i], result);
        }

        return result;
    }

    /// <summary>
    /// Where kernel call <paramref name="call"/> of <paramref name="calls"/> on a block prefetches (<see cref="Prefetch(float*, long)"/>):
    /// its share of the next block's four rows, spread over its four streams, or its own block where there is no next
    /// block or no share left for it (a prefetch of cached lines costs a load slot and nothing else). Each stream is a
    /// row long, so a share of one or two rows runs on into the next share (lines fetched twice) and the last share a
    /// little into the block after next (read early, or at the end of a range read for another thread's range).
    /// </summary>
    private static unsafe (IntPtr Ahead, long Stride) Share(float* weights, float* next, int n, int call, int calls)
    {
        var (from, to) = (4 * call / calls, 4 * (call + 1) / calls);
        return next == null || to == from
            ? ((IntPtr)weights, n)
            : ((IntPtr)(next + (long)from * n), (long)n * (to - from) / 4);
    }

    /// <summary>
    /// <see cref="Share"/> for the four-row kernel: one stream a row of the share, so each line is fetched once (at 16
    /// rows one prefetch a step where four streams issued four, in a loop whose instructions, not its multiply-adds,
    /// set the pace); none where there is no next block or no share left. The one- and two-row kernels keep four
    /// streams: on the small model's short rows the count's branches cost more than the lines they save.
    /// </summary>
    private static unsafe (IntPtr Ahead, int Rows) ShareRows(float* weights, float* next, int n, int call, int calls)
    {
        var (from, to) = (4 * call / calls, 4 * (call + 1) / calls);
        return next == null || to == from ? ((IntPtr)weights, 0) : ((IntPtr)(next + (long)from * n), to - from);
    }

    /// <summary>
    /// The same position in four weight rows <paramref name="n"/> apart, into the second-level cache (not the first:
    /// there they would evict rows of x and the block in use; measured faster at 16 rows, the same at 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(float* first, long n)
    {
        Sse.Prefetch1(first);
        Sse.Prefetch1(first + n);
        Sse.Prefetch1(first + 2 * n);
        Sse.Prefetch1(first + 3 * n);
    }

    /// <summary>The same position in <paramref name="count"/> (0, 1, 2 or 4) weight rows <paramref name="n"/> apart, into the second-level cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(float* first, long n, int count)
    {
        if (count == 0)
        {
            return;
        }

        Sse.Prefetch1(first);
        if (count == 1)
        {
            return;
        }

        Sse.Prefetch1(first + n);
        if (count == 2)
        {
            return;
        }

        Sse.Prefetch1(first + 2 * n);
        Sse.Prefetch1(first + 3 * n);
    }

    /// <summary>Four weight rows against one row of x (four independent sums: the one-row step is bound by the weight stream).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void FourByOne<TLanes, TVector>(float* w0, float* ahead, long aheadStride, float* x0, int n, float* y)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        float* w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
        var whole = n - n % TLanes.Count;
        TVector a0 = TLanes.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (var i = 0; i < whole; i += TLanes.Count)
        {
            Prefetch(ahead + i, aheadStride);
            var u = TLanes.Load(x0 + i);
            a0 = TLanes.MultiplyAdd(TLanes.Load(w0 + i), u, a0);
            a1 = TLanes.MultiplyAdd(TLanes.Load(w1 + i), u, a1);
            a2 = TLanes.MultiplyAdd(TLanes.Load(w2 + i), u, a2);
            a3 = TLanes.MultiplyAdd(TLanes.Load(w3 + i), u, a3);
        }

        FinishFour<TLanes, TVector>(a0, a1, a2, a3, w0, x0, whole, n, y);
    }

    /// <summary>Four weight rows against two rows of x: each load feeds two or four multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void FourByTwo<TLanes, TVector>(float* w0, float* ahead, long aheadStride, float* x0, int n, float* y, int stride)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        float* w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
        var x1 = x0 + n;
        var whole = n - n % TLanes.Count;
        TVector a0 = TLanes.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (var i = 0; i < whole; i += TLanes.Count)
        {
            Prefetch(ahead + i, aheadStride);
            var (v0, v1, v2, v3) = (TLanes.Load(w0 + i), TLanes.Load(w1 + i), TLanes.Load(w2 + i), TLanes.Load(w3 + i));
            var u = TLanes.Load(x0 + i);
            a0 = TLanes.MultiplyAdd(v0, u, a0);
            a1 = TLanes.MultiplyAdd(v1, u, a1);
            a2 = TLanes.MultiplyAdd(v2, u, a2);
            a3 = TLanes.MultiplyAdd(v3, u, a3);
            u = TLanes.Load(x1 + i);
            b0 = TLanes.MultiplyAdd(v0, u, b0);
            b1 = TLanes.MultiplyAdd(v1, u, b1);
            b2 = TLanes.MultiplyAdd(v2, u, b2);
            b3 = TLanes.MultiplyAdd(v3, u, b3);
        }

        FinishFour<TLanes, TVector>(a0, a1, a2, a3, w0, x0, whole, n, y);
        y += stride;
        FinishFour<TLanes, TVector>(b0, b1, b2, b3, w0, x1, whole, n, y);
    }

    /// <summary>
    /// Four weight rows against four rows of x: sixteen accumulators, each weight load feeding four multiply-adds and
    /// each x load four, so the multiply-add units rather than the loads set the pace (32 vector registers: AVX-512 only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void FourByFour<TLanes, TVector>(float* w0, float* ahead, long aheadStride, int aheadRows, float* x0, int n, float* y, int stride)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        float* w1 = w0 + n, w2 = w1 + n, w3 = w2 + n;
        float* x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        var whole = n - n % TLanes.Count;
        TVector a0 = TLanes.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        TVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        // Two steps a pass (the order of each accumulator's sum unchanged): the loop's own instructions, not the
        // multiply-adds, otherwise bound the pace with the weights cached.
        var i = 0;
        for (; i + (2 * TLanes.Count) <= whole; i += 2 * TLanes.Count)
        {
            Prefetch(ahead + i, aheadStride, aheadRows);
            var (v0, v1, v2, v3) = (TLanes.Load(w0 + i), TLanes.Load(w1 + i), TLanes.Load(w2 + i), TLanes.Load(w3 + i));
            var u = TLanes.Load(x0 + i);
            a0 = TLanes.MultiplyAdd(v0, u, a0);
            a1 = TLanes.MultiplyAdd(v1, u, a1);
            a2 = TLanes.MultiplyAdd(v2, u, a2);
            a3 = TLanes.MultiplyAdd(v3, u, a3);
            u = TLanes.Load(x1 + i);
            b0 = TLanes.MultiplyAdd(v0, u, b0);
            b1 = TLanes.MultiplyAdd(v1, u, b1);
            b2 = TLanes.MultiplyAdd(v2, u, b2);
            b3 = TLanes.MultiplyAdd(v3, u, b3);
            u = TLanes.Load(x2 + i);
            c0 = TLanes.MultiplyAdd(v0, u, c0);
            c1 = TLanes.MultiplyAdd(v1, u, c1);
            c2 = TLanes.MultiplyAdd(v2, u, c2);
            c3 = TLanes.MultiplyAdd(v3, u, c3);
            u = TLanes.Load(x3 + i);
            d0 = TLanes.MultiplyAdd(v0, u, d0);
            d1 = TLanes.MultiplyAdd(v1, u, d1);
            d2 = TLanes.MultiplyAdd(v2, u, d2);
            d3 = TLanes.MultiplyAdd(v3, u, d3);
            var j = i + TLanes.Count;
            Prefetch(ahead + j, aheadStride, aheadRows);
            (v0, v1, v2, v3) = (TLanes.Load(w0 + j), TLanes.Load(w1 + j), TLanes.Load(w2 + j), TLanes.Load(w3 + j));
            u = TLanes.Load(x0 + j);
            a0 = TLanes.MultiplyAdd(v0, u, a0);
            a1 = TLanes.MultiplyAdd(v1, u, a1);
            a2 = TLanes.MultiplyAdd(v2, u, a2);
            a3 = TLanes.MultiplyAdd(v3, u, a3);
            u = TLanes.Load(x1 + j);
            b0 = TLanes.MultiplyAdd(v0, u, b0);
            b1 = TLanes.MultiplyAdd(v1, u, b1);
            b2 = TLanes.MultiplyAdd(v2, u, b2);
            b3 = TLanes.MultiplyAdd(v3, u, b3);
            u = TLanes.Load(x2 + j);
            c0 = TLanes.MultiplyAdd(v0, u, c0);
            c1 = TLanes.MultiplyAdd(v1, u, c1);
            c2 = TLanes.MultiplyAdd(v2, u, c2);
            c3 = TLanes.MultiplyAdd(v3, u, c3);
            u = TLanes.Load(x3 + j);
            d0 = TLanes.MultiplyAdd(v0, u, d0);
            d1 = TLanes.MultiplyAdd(v1, u, d1);
            d2 = TLanes.MultiplyAdd(v2, u, d2);
            d3 = TLanes.MultiplyAdd(v3, u, d3);
        }

        if (i < whole)
        {
            Prefetch(ahead + i, aheadStride, aheadRows);
            var (v0, v1, v2, v3) = (TLanes.Load(w0 + i), TLanes.Load(w1 + i), TLanes.Load(w2 + i), TLanes.Load(w3 + i));
            var u = TLanes.Load(x0 + i);
            a0 = TLanes.MultiplyAdd(v0, u, a0);
            a1 = TLanes.MultiplyAdd(v1, u, a1);
            a2 = TLanes.MultiplyAdd(v2, u, a2);
            a3 = TLanes.MultiplyAdd(v3, u, a3);
            u = TLanes.Load(x1 + i);
            b0 = TLanes.MultiplyAdd(v0, u, b0);
            b1 = TLanes.MultiplyAdd(v1, u, b1);
            b2 = TLanes.MultiplyAdd(v2, u, b2);
            b3 = TLanes.MultiplyAdd(v3, u, b3);
            u = TLanes.Load(x2 + i);
            c0 = TLanes.MultiplyAdd(v0, u, c0);
            c1 = TLanes.MultiplyAdd(v1, u, c1);
            c2 = TLanes.MultiplyAdd(v2, u, c2);
            c3 = TLanes.MultiplyAdd(v3, u, c3);
            u = TLanes.Load(x3 + i);
            d0 = TLanes.MultiplyAdd(v0, u, d0);
            d1 = TLanes.MultiplyAdd(v1, u, d1);
            d2 = TLanes.MultiplyAdd(v2, u, d2);
            d3 = TLanes.MultiplyAdd(v3, u, d3);
        }

        FinishFour<TLanes, TVector>(a0, a1, a2, a3, w0, x0, whole, n, y);
        y += stride;
        FinishFour<TLanes, TVector>(b0, b1, b2, b3, w0, x1, whole, n, y);
        y += stride;
        FinishFour<TLanes, TVector>(c0, c1, c2, c3, w0, x2, whole, n, y);
        y += stride;
        FinishFour<TLanes, TVector>(d0, d1, d2, d3, w0, x3, whole, n, y);
    }
}
