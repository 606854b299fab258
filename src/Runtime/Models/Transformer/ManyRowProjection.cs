using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// <c>x·Wᵀ</c> for a decode step of more rows than <see cref="SmallBatchProjection"/> takes, on the CPU in float32,
/// computed in C# from the tensors' memory. x is first copied transposed, so that one vector holds one input feature of
/// 16 rows (8 without AVX-512); each weight element is then broadcast and multiplied into up to four such vectors. Six
/// weight rows against four vectors of rows keep 24 accumulators in registers: per input feature, four loads and six
/// broadcasts feed 24 multiply-adds, where a dot-product kernel needs a load per multiply-add or two. A block of six
/// weight rows stays in the cache while every chunk of rows passes it, so the weights are read from memory once a step.
/// At 64 rows libtorch's <c>linear</c> took 94 ms of a 116 ms llama-110m step here (2 threads), 1.4× the machine's own
/// matmul rate (<c>docs/performance.md</c>, "Many-row projections in C#").
/// <para>
/// Every output is one chain of fused multiply-adds over the input features in order, starting from zero, whatever the
/// vector width, the chunk, the row's lane, the thread count or the rows beside it: a row's result does not depend on the
/// batch it decodes in (above <see cref="SmallBatchProjection"/>'s rows), and equals a scalar loop of
/// <c>MathF.FusedMultiplyAdd</c> bit for bit.
/// </para>
/// </summary>
internal static class ManyRowProjection
{
    /// <summary>Weight rows a kernel call multiplies into its rows: six, so 6 × 4 accumulators fit in 32 registers.</summary>
    private const int WeightBlock = 6;

    /// <summary>
    /// Rows up to which this beats libtorch's GEMM on the llama-110m shapes (2 threads, 2026-12-02: 20% faster steps at
    /// 32 and 64 rows, even at 128, 25% slower at 256, where <c>linear</c>'s packed, cache-blocked kernel pulls ahead).
    /// </summary>
    private const long MaximumRows = 64;

    /// <summary>Whether <see cref="Compute"/> takes <paramref name="x"/> <c>[rows, in]</c> and <paramref name="weight"/> <c>[out, in]</c>.</summary>
    public static bool Applies(Tensor x, Tensor weight) => HostProjection.Takes(x, weight, MaximumRows);

    /// <summary><c>x·Wᵀ</c> <c>[rows, out]</c>, a new tensor in the caller's dispose scope. Only where <see cref="Applies"/>.</summary>
    public static Tensor Compute(Tensor x, Tensor weight, int threads) => Compute(x, weight, threads, HostProjection.Wide);

    /// <summary><see cref="Compute(Tensor, Tensor, int)"/> at a chosen vector width: the bits are the same at both.</summary>
    internal static unsafe Tensor Compute(Tensor x, Tensor weight, int threads, bool wide)
    {
        var (rows, inFeatures, outFeatures) = ((int)x.size(0), (int)x.size(1), (int)weight.size(0));
        var result = HostProjection.NewResult(x, weight, wide);
        var layout = wide ? Layout.For<Float512Lanes, Vector512<float>>(rows, inFeatures) : Layout.For<Float256Lanes, Vector256<float>>(rows, inFeatures);
        var rented = ArrayPool<float>.Shared.Rent(layout.Floats + 16);
        try
        {
            fixed (float* pinned = rented)
            {
                // 64-byte aligned, so that no vector load of the transposed rows splits a cache line.
                var transposed = (float*)(((nint)pinned + 63) & ~(nint)63);
                var (w, input, output) = ((nint)TensorMemory.Floats(weight), (nint)TensorMemory.Floats(x), (nint)TensorMemory.Floats(result));
                layout.Transpose((float*)input, transposed);
                var t = (nint)transposed;
                HostProjection.ForEachRange(rows, inFeatures, outFeatures, WeightBlock, threads, (first, end) =>
                {
                    if (wide)
                    {
                        Range<Float512Lanes, Vector512<float>>(layout, (float*)w, (float*)t, (float*)output, outFeatures, first, end);
                    }
                    else
                    {
                        Range<Float256Lanes, Vector256<float>>(layout, (float*)w, (float*)t, (float*)output, outFeatures, first, end);
                    }
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }

        GC.KeepAlive(x);
        GC.KeepAlive(weight);
        return result;
    }

    /// <summary>
    /// Where the transposed rows lie: chunks of up to <c>lanes × maximumVectors</c> rows, each chunk <c>[in, width]</c>
    /// with its width the chunk's rows rounded up to whole vectors (the extra lanes zero).
    /// </summary>
    private readonly record struct Layout(int Rows, int InFeatures, int Lanes, int MaximumVectors)
    {
        /// <summary>Four vectors of rows where there are 32 vector registers (6 × 4 accumulators), two where there are 16.</summary>
        public static Layout For<TLanes, TVector>(int rows, int inFeatures)
            where TLanes : IFloatLanes<TVector>
            where TVector : struct =>
            new(rows, inFeatures, TLanes.Count, TLanes.ThirtyTwoRegisters ? 4 : 2);

        public int ChunkRows => Lanes * MaximumVectors;

        public int Chunks => (Rows + ChunkRows - 1) / ChunkRows;

        public int RowsIn(int chunk) => Math.Min(ChunkRows, Rows - chunk * ChunkRows);

        public int VectorsIn(int chunk) => (RowsIn(chunk) + Lanes - 1) / Lanes;

        /// <summary>Offset of a chunk: every chunk before it is full.</summary>
        public long Offset(int chunk) => (long)chunk * InFeatures * ChunkRows;

        public int Floats => (int)Offset(Chunks - 1) + InFeatures * VectorsIn(Chunks - 1) * Lanes;

        public unsafe void Transpose(float* x, float* transposed)
        {
            const int Block = 16; // input features a pass: the chunk's lines they write stay in the first-level cache
            for (var chunk = 0; chunk < Chunks; chunk++)
            {
                var (rows, width) = (RowsIn(chunk), VectorsIn(chunk) * Lanes);
                var target = transposed + Offset(chunk);
                var source = x + (long)chunk * ChunkRows * InFeatures;
                for (var k0 = 0; k0 < InFeatures; k0 += Block)
                {
                    var k1 = Math.Min(k0 + Block, InFeatures);
                    for (var r = 0; r < rows; r++)
                    {
                        var row = source + (long)r * InFeatures;
                        for (var k = k0; k < k1; k++)
                        {
                            target[(long)k * width + r] = row[k];
                        }
                    }

                    for (var k = k0; k < k1; k++)
                    {
                        new Span<float>(target + (long)k * width + rows, width - rows).Clear();
                    }
                }
            }
        }
    }

    /// <summary>Outputs <c>[first, end)</c> of every row: each block of six weight rows against every chunk in turn.</summary>
    private static unsafe void Range<TLanes, TVector>(Layout layout, float* w, float* transposed, float* y, int outFeatures, int first, int end)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
    {
        var n = layout.InFeatures;
        var spilled = stackalloc float[WeightBlock * 4 * TLanes.Count];
        for (var o = first; o < end; o += WeightBlock)
        {
            var block = Math.Min(WeightBlock, end - o);
            for (var chunk = 0; chunk < layout.Chunks; chunk++)
            {
                var x = transposed + layout.Offset(chunk);
                var rows = layout.RowsIn(chunk);
                var output = y + (long)chunk * layout.ChunkRows * outFeatures;
                for (var j = 0; j < block; j += block == WeightBlock ? WeightBlock : 1)
                {
                    var weights = w + (long)(o + j) * n;
                    // The range's next block is fetched into the cache while this one is multiplied (24 bytes a step
                    // covers its six rows in one pass); without it two threads read the weights at 70% of the speed.
                    var ahead = (byte*)(o + 2 * WeightBlock <= end ? weights + (long)WeightBlock * n : weights);
                    var target = output + o + j;
                    if (block == WeightBlock)
                    {
                        KernelFor<TLanes, TVector, Six>(layout.VectorsIn(chunk), weights, ahead, n, x, rows, target, outFeatures, spilled);
                    }
                    else
                    {
                        KernelFor<TLanes, TVector, One>(layout.VectorsIn(chunk), weights, ahead, n, x, rows, target, outFeatures, spilled);
                    }
                }
            }
        }
    }

    /// <summary>The kernel instantiated for <paramref name="vectors"/> vectors of rows (1–4).</summary>
    private static unsafe void KernelFor<TLanes, TVector, TWeights>(int vectors, float* w0, byte* ahead, int n, float* x, int rows, float* y, int outFeatures, float* spilled)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
        where TWeights : ICount
    {
        switch (vectors)
        {
            case 1: Kernel<TLanes, TVector, One, TWeights>(w0, ahead, n, x, rows, y, outFeatures, spilled); break;
            case 2: Kernel<TLanes, TVector, Two, TWeights>(w0, ahead, n, x, rows, y, outFeatures, spilled); break;
            case 3: Kernel<TLanes, TVector, Three, TWeights>(w0, ahead, n, x, rows, y, outFeatures, spilled); break;
            default: Kernel<TLanes, TVector, Four, TWeights>(w0, ahead, n, x, rows, y, outFeatures, spilled); break;
        }
    }

    /// <summary>
    /// <typeparamref name="TWeights"/> weight rows from <paramref name="w0"/> against <typeparamref name="TVectors"/>
    /// vectors of transposed rows: for each input feature in order, each accumulator gets one fused multiply-add.
    /// Unused accumulators and loads are compiled away (the counts are constants of each instantiation).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call, not after tiering up
    private static unsafe void Kernel<TLanes, TVector, TVectors, TWeights>(float* w0, byte* ahead, int n, float* x, int rows, float* y, int outFeatures, float* spilled)
        where TLanes : IFloatLanes<TVector>
        where TVector : struct
        where TVectors : ICount
        where TWeights : ICount
    {
        var (v, l) = (TVectors.Value, TLanes.Count);
        var width = v * l;
        float* w1 = w0 + n, w2 = w1 + n, w3 = w2 + n, w4 = w3 + n, w5 = w4 + n;
        TVector a00 = TLanes.Zero, a01 = a00, a02 = a00, a03 = a00;
        TVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        TVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        TVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        TVector a40 = a00, a41 = a00, a42 = a00, a43 = a00;
        TVector a50 = a00, a51 = a00, a52 = a00, a53 = a00;
        for (var k = 0; k < n; k++, x += width)
        {
            Sse.Prefetch0(ahead + (long)k * WeightBlock * sizeof(float));
            var x0 = TLanes.Load(x);
            var x1 = v > 1 ? TLanes.Load(x + l) : x0;
            var x2 = v > 2 ? TLanes.Load(x + 2 * l) : x0;
            var x3 = v > 3 ? TLanes.Load(x + 3 * l) : x0;
            var b0 = TLanes.Broadcast(w0[k]);
            a00 = TLanes.MultiplyAdd(b0, x0, a00);
            if (v > 1)
            {
                a01 = TLanes.MultiplyAdd(b0, x1, a01);
            }

            if (v > 2)
            {
                a02 = TLanes.MultiplyAdd(b0, x2, a02);
            }

            if (v > 3)
            {
                a03 = TLanes.MultiplyAdd(b0, x3, a03);
            }

            if (TWeights.Value > 1)
            {
                var b1 = TLanes.Broadcast(w1[k]);
                a10 = TLanes.MultiplyAdd(b1, x0, a10);
                if (v > 1)
                {
                    a11 = TLanes.MultiplyAdd(b1, x1, a11);
                }

                if (v > 2)
                {
                    a12 = TLanes.MultiplyAdd(b1, x2, a12);
                }

                if (v > 3)
                {
                    a13 = TLanes.MultiplyAdd(b1, x3, a13);
                }

                var b2 = TLanes.Broadcast(w2[k]);
                a20 = TLanes.MultiplyAdd(b2, x0, a20);
                if (v > 1)
                {
                    a21 = TLanes.MultiplyAdd(b2, x1, a21);
                }

                if (v > 2)
                {
                    a22 = TLanes.MultiplyAdd(b2, x2, a22);
                }

                if (v > 3)
                {
                    a23 = TLanes.MultiplyAdd(b2, x3, a23);
                }

                var b3 = TLanes.Broadcast(w3[k]);
                a30 = TLanes.MultiplyAdd(b3, x0, a30);
                if (v > 1)
                {
                    a31 = TLanes.MultiplyAdd(b3, x1, a31);
                }

                if (v > 2)
                {
                    a32 = TLanes.MultiplyAdd(b3, x2, a32);
                }

                if (v > 3)
                {
                    a33 = TLanes.MultiplyAdd(b3, x3, a33);
                }

                var b4 = TLanes.Broadcast(w4[k]);
                a40 = TLanes.MultiplyAdd(b4, x0, a40);
                if (v > 1)
                {
                    a41 = TLanes.MultiplyAdd(b4, x1, a41);
                }

                if (v > 2)
                {
                    a42 = TLanes.MultiplyAdd(b4, x2, a42);
                }

                if (v > 3)
                {
                    a43 = TLanes.MultiplyAdd(b4, x3, a43);
                }

                var b5 = TLanes.Broadcast(w5[k]);
                a50 = TLanes.MultiplyAdd(b5, x0, a50);
                if (v > 1)
                {
                    a51 = TLanes.MultiplyAdd(b5, x1, a51);
                }

                if (v > 2)
                {
                    a52 = TLanes.MultiplyAdd(b5, x2, a52);
                }

                if (v > 3)
                {
                    a53 = TLanes.MultiplyAdd(b5, x3, a53);
                }
            }
        }

        // Stored to the caller's buffer first. With a call, or a stackalloc, between the loop and the accumulators' last
        // use, the register allocator spilled them inside the loop on every step (a quarter of the speed).
        var count = TLanes.Count;
        TLanes.Store(a00, spilled);
        TLanes.Store(a01, spilled + count);
        TLanes.Store(a02, spilled + 2 * count);
        TLanes.Store(a03, spilled + 3 * count);
        if (TWeights.Value > 1)
        {
            TLanes.Store(a10, spilled + 4 * count);
            TLanes.Store(a11, spilled + 5 * count);
            TLanes.Store(a12, spilled + 6 * count);
            TLanes.Store(a13, spilled + 7 * count);
            TLanes.Store(a20, spilled + 8 * count);
            TLanes.Store(a21, spilled + 9 * count);
            TLanes.Store(a22, spilled + 10 * count);
            TLanes.Store(a23, spilled + 11 * count);
            TLanes.Store(a30, spilled + 12 * count);
            TLanes.Store(a31, spilled + 13 * count);
            TLanes.Store(a32, spilled + 14 * count);
            TLanes.Store(a33, spilled + 15 * count);
            TLanes.Store(a40, spilled + 16 * count);
            TLanes.Store(a41, spilled + 17 * count);
            TLanes.Store(a42, spilled + 18 * count);
            TLanes.Store(a43, spilled + 19 * count);
            TLanes.Store(a50, spilled + 20 * count);
            TLanes.Store(a51, spilled + 21 * count);
            TLanes.Store(a52, spilled + 22 * count);
            TLanes.Store(a53, spilled + 23 * count);
        }

        // An accumulator's lanes are rows, so each output goes out on its own.
        for (var j = 0; j < TWeights.Value; j++)
        {
            var lanes = spilled + 4 * j * count;
            for (var r = 0; r < rows; r++)
            {
                y[(long)r * outFeatures + j] = lanes[r];
            }
        }
    }

    private interface ICount
    {
        static abstract int Value { get; }
    }

    private readonly struct One : ICount
    {
        public static int Value => 1;
    }

    private readonly struct Two : ICount
    {
        public static int Value => 2;
    }

    private readonly struct Three : ICount
    {
        public static int Value => 3;
    }

    private readonly struct Four : ICount
    {
        public static int Value => 4;
    }

    private readonly struct Six : ICount
    {
        public static int Value => 6;
    }
}
