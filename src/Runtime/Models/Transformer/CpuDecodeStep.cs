using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// <see cref="LlamaNetwork.DecodeStep"/> on the CPU in float32, written in C# over the tensors' memory: RMS norms,
/// rotary, the KV write, attention and SiLU·up are span loops (<see cref="TensorPrimitives"/> and two hand-vectorized
/// attention loops), split over rows or (row, key/value head) pairs on .NET threads when large enough, and the
/// projections go through <see cref="LlamaNetwork.Project"/> as in the tensor step. In libtorch ops a step of a small
/// model costs more in dispatch, handles and OpenMP wake-ups than in arithmetic (149 handles on a 4-layer model, 529
/// on 12 layers; attention ops on two OpenMP threads took 5× their one-thread time), and a step whose rows continue
/// several prompts ran a dozen ops per prompt per layer (the eval's batches of 40 problems). This step makes five
/// tensors a layer, attends every row to its own prompt with no per-prompt ops, and leaves OpenMP's threads asleep
/// (<c>docs/performance.md</c>, "The decode step in C#").
/// <para>
/// Each row is computed on its own, in an order that does not depend on the other rows or on the thread count, so a
/// row's logits are the same bits whichever rows share its step, as long as the projections take the same path (one C#
/// kernel up to 16 rows, another from 17 to 64, <c>linear</c> above: <see cref="LlamaNetwork.Project"/>). They differ from the tensor step's in
/// float32 rounding only: sums are taken in another order and SiLU is <c>x·σ(x)</c>.
/// </para>
/// </summary>
internal static unsafe class CpuDecodeStep
{
    /// <summary>Elements (rows × width) of a row-wise loop below which one thread does every row.</summary>
    private const long MinimumParallelRows = 1L << 15;

    /// <summary>Attention multiply-adds below which one thread does all rows and heads: waking a helper costs more.</summary>
    private const long MinimumParallelAttention = 1L << 16;

    public static bool Applies(LlamaNetwork network) => network.Device.type == DeviceType.CPU && network.DType == ScalarType.Float32;

    /// <summary>
    /// Float32 logits <c>[rows, vocab]</c> for one token per row at <paramref name="positions"/>, the keys and values
    /// written into the cache's suffix at each row's suffix length (whose capacity the caller has ensured). Tensors
    /// belong to the caller's dispose scope.
    /// </summary>
    public static Tensor Run(LlamaNetwork network, long[] tokens, long[] positions, KvCache cache, StepProfile? profile)
    {
        var config = network.Config;
        var weights = network.Weights;
        var shape = new Shape(config, tokens.Length);
        var rotaryTable = network.RotaryTableCovering(positions.Max()); // [positions, 2 (cos, signed sin), 1, head_dim]
        var residual = torch.empty([shape.Rows, shape.Hidden], ScalarType.Float32, network.Device);
        var normed = torch.empty([shape.Rows, shape.Hidden], ScalarType.Float32, network.Device);
        var attended = torch.empty([shape.Rows, shape.Heads * shape.HeadDim], ScalarType.Float32, network.Device);
        var activated = torch.empty([shape.Rows, shape.Intermediate], ScalarType.Float32, network.Device);
        var x = TensorMemory.Floats(residual);
        var n = TensorMemory.Floats(normed);
        var eps = (float)config.RmsNormEps;
        var threads = torch.get_num_threads();

        var embedding = TensorMemory.Floats(weights.Embedding);
        for (var r = 0; r < shape.Rows; r++)
        {
            new ReadOnlySpan<float>(embedding + tokens[r] * shape.Hidden, shape.Hidden).CopyTo(new Span<float>(x + (long)r * shape.Hidden, shape.Hidden));
        }

        profile?.Mark("step setup: positions, rotary angles, mask, embedding");
        for (var l = 0; l < weights.Layers.Count; l++)
        {
            var layer = weights.Layers[l];
            RmsNorm(x, TensorMemory.Floats(layer.InputNorm), n, shape, eps, threads);
            profile?.Mark("RMS norms");
            using var qkv = LlamaNetwork.Project(normed, layer.QueryKeyValue, layer.QueryKeyValueBias);
            profile?.Mark("matmul: q/k/v");
            var q = TensorMemory.Floats(qkv);
            RotateAndStore(q, TensorMemory.Floats(rotaryTable), positions, cache, l, shape, threads);
            profile?.Mark("rotary, KV write");
            Attend(q, cache, l, TensorMemory.Floats(attended), shape, threads);
            profile?.Mark("attention");
            using var projected = LlamaNetwork.Project(attended, layer.Output);
            profile?.Mark("matmul: attention output");
            AddInPlace(x, TensorMemory.Floats(projected), shape, threads);
            profile?.Mark("residual adds, SiLU·up");
            RmsNorm(x, TensorMemory.Floats(layer.PostAttentionNorm), n, shape, eps, threads);
            profile?.Mark("RMS norms");
            using var gateUp = LlamaNetwork.Project(normed, layer.GateUp);
            profile?.Mark("matmul: gate/up");
            SiluTimesUp(TensorMemory.Floats(gateUp), TensorMemory.Floats(activated), shape, threads);
            profile?.Mark("residual adds, SiLU·up");
            using var down = LlamaNetwork.Project(activated, layer.Down);
            profile?.Mark("matmul: down");
            AddInPlace(x, TensorMemory.Floats(down), shape, threads);
            profile?.Mark("residual adds, SiLU·up");
        }

        RmsNorm(x, TensorMemory.Floats(weights.FinalNorm), n, shape, eps, threads);
        profile?.Mark("RMS norms");
        var logits = LlamaNetwork.Project(normed, weights.LanguageModelHead);
        profile?.Mark("matmul: LM head");
        GC.KeepAlive(residual);
        GC.KeepAlive(rotaryTable);
        return logits;
    }

    /// <summary><paramref name="body"/>(r) for every row, split over threads when the rows hold enough elements.</summary>
    private static void ForEachRow(int rows, long elementsPerRow, int threads, Action<int> body) =>
        HostParallel.For(rows, rows * elementsPerRow, MinimumParallelRows, threads, body);

    /// <summary>x · rsqrt(mean(x²) + ε) · w, row by row (the tensor step's <c>RmsNorm</c>).</summary>
    private static void RmsNorm(float* x, float* weight, float* output, Shape shape, float eps, int threads)
    {
        var (input, w, result, hidden) = ((nint)x, (nint)weight, (nint)output, shape.Hidden);
        ForEachRow(shape.Rows, hidden, threads, r =>
        {
            var row = new ReadOnlySpan<float>((float*)input + (long)r * hidden, hidden);
            var normed = new Span<float>((float*)result + (long)r * hidden, hidden);
            var scale = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(row) / hidden + eps);
            TensorPrimitives.Multiply(row, scale, normed);
            TensorPrimitives.Multiply(normed, new ReadOnlySpan<float>((float*)w, hidden), normed);
        });
    }

    /// <summary>
    /// Rotary on every query and key head in place: x·cos + [x₂, x₁]·[−sin₁, sin₂] (the tensor step's
    /// <c>ApplyRotary</c>), with cos and the signed sine read from the network's table at the row's position; then
    /// the row's rotated key and its value into the suffix at the row's suffix length.
    /// </summary>
    private static void RotateAndStore(float* qkv, float* table, long[] positions, KvCache cache, int layer, Shape shape, int threads)
    {
        var (d, half, capacity, lengths) = (shape.HeadDim, shape.HeadDim / 2, cache.SuffixCapacity, cache.SuffixLengths);
        var (q, cosSin) = ((nint)qkv, (nint)table);
        var (keys, values) = ((nint)TensorMemory.Floats(cache.SuffixKeys(layer)), (nint)TensorMemory.Floats(cache.SuffixValues(layer)));
        ForEachRow(shape.Rows, shape.QkvWidth, threads, r =>
        {
            Span<float> original = stackalloc float[d];
            var cos = new ReadOnlySpan<float>((float*)cosSin + positions[r] * 2 * d, d);
            var sin = new ReadOnlySpan<float>((float*)cosSin + (positions[r] * 2 + 1) * d, d);
            var row = (float*)q + (long)r * shape.QkvWidth;
            for (var h = 0; h < shape.Heads + shape.KeyValueHeads; h++)
            {
                var head = new Span<float>(row + (long)h * d, d);
                head.CopyTo(original);
                TensorPrimitives.Multiply(original, cos, head);
                TensorPrimitives.MultiplyAdd(original[half..], sin[..half], head[..half], head[..half]);
                TensorPrimitives.MultiplyAdd(original[..half], sin[half..], head[half..], head[half..]);
            }

            for (var h = 0; h < shape.KeyValueHeads; h++)
            {
                var offset = (((long)r * shape.KeyValueHeads + h) * capacity + lengths[r]) * d;
                var key = row + (long)(shape.Heads + h) * d;
                new ReadOnlySpan<float>(key, d).CopyTo(new Span<float>((float*)keys + offset, d));
                new ReadOnlySpan<float>(key + (long)shape.KeyValueHeads * d, d).CopyTo(new Span<float>((float*)values + offset, d));
            }
        });
    }

    /// <summary>
    /// Each query head of each row against its prompt's keys then the row's own suffix up to and including the token
    /// just written: one softmax over both, then the weighted sum of values. Rows × key/value heads are the work
    /// items, split over <paramref name="threads"/> when there is enough of it.
    /// </summary>
    private static void Attend(float* qkv, KvCache cache, int layer, float* output, Shape shape, int threads)
    {
        var prefixKeys = cache.PrefixKeys(layer);
        var context = new AttentionContext(
            (nint)qkv, (nint)output, (nint)TensorMemory.Floats(prefixKeys), (nint)TensorMemory.Floats(cache.PrefixValues(layer)),
            (int)prefixKeys.shape[2], (nint)TensorMemory.Floats(cache.SuffixKeys(layer)), (nint)TensorMemory.Floats(cache.SuffixValues(layer)),
            cache.SuffixCapacity, cache.PromptLengths, cache.PromptOfRow, cache.SuffixLengths, shape);
        var items = shape.Rows * shape.KeyValueHeads;
        var work = 0L;
        for (var r = 0; r < shape.Rows; r++)
        {
            work += (long)(context.PromptLengths[context.PromptOfRow[r]] + context.SuffixLengths[r] + 1) * shape.Heads * shape.HeadDim;
        }

        HostParallel.For(items, work, MinimumParallelAttention, threads, item => AttendItem(context, item));
        GC.KeepAlive(prefixKeys);
    }

    private static void AttendItem(AttentionContext c, int item)
    {
        var shape = c.Shape;
        var (r, kvHead) = Math.DivRem(item, shape.KeyValueHeads);
        var d = shape.HeadDim;
        var prompt = c.PromptOfRow[r];
        var (promptLength, suffixLength) = (c.PromptLengths[prompt], c.SuffixLengths[r] + 1);
        var promptKeys = (float*)c.PrefixKeys + ((long)prompt * shape.KeyValueHeads + kvHead) * c.LongestPrompt * d;
        var promptValues = (float*)c.PrefixValues + ((long)prompt * shape.KeyValueHeads + kvHead) * c.LongestPrompt * d;
        var suffixKeys = (float*)c.SuffixKeys + ((long)r * shape.KeyValueHeads + kvHead) * c.SuffixCapacity * d;
        var suffixValues = (float*)c.SuffixValues + ((long)r * shape.KeyValueHeads + kvHead) * c.SuffixCapacity * d;
        var total = promptLength + suffixLength;
        var rented = ArrayPool<float>.Shared.Rent(total + d);
        try
        {
            fixed (float* buffer = rented)
            {
                var scores = buffer;
                var scaled = buffer + total;
                for (var j = 0; j < shape.Group; j++)
                {
                    var head = kvHead * shape.Group + j;
                    TensorPrimitives.Multiply(
                        new ReadOnlySpan<float>((float*)c.Qkv + (long)r * shape.QkvWidth + (long)head * d, d), shape.AttentionScale, new Span<float>(scaled, d));
                    Scores(scaled, promptKeys, promptLength, d, scores);
                    Scores(scaled, suffixKeys, suffixLength, d, scores + promptLength);

                    // Softmax with the maximum subtracted (TensorPrimitives.SoftMax does not: large scores would overflow).
                    var weights = new Span<float>(scores, total);
                    TensorPrimitives.Subtract(weights, TensorPrimitives.Max(weights), weights);
                    TensorPrimitives.Exp(weights, weights);
                    TensorPrimitives.Divide(weights, TensorPrimitives.Sum(weights), weights);
                    var output = (float*)c.Output + (long)r * shape.Heads * d + (long)head * d;
                    new Span<float>(output, d).Clear();
                    WeightedSum(scores, promptValues, promptLength, d, output);
                    WeightedSum(scores + promptLength, suffixValues, suffixLength, d, output);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// scores[t] = q · keys[t] for <paramref name="count"/> keys of <paramref name="d"/> floats. Each key has its own
    /// accumulator, summed over 8-lane chunks in order, then its lanes, then a scalar tail: four keys at a time only so
    /// that four FMA chains run side by side (one chain waited on each FMA's latency).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    private static void Scores(float* q, float* keys, int count, int d, float* scores)
    {
        var vectorEnd = d - (d % 8);
        var t = 0;
        for (; t + 4 <= count; t += 4)
        {
            var k0 = keys + (long)t * d;
            var k1 = k0 + d;
            var k2 = k1 + d;
            var k3 = k2 + d;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var i = 0; i < vectorEnd; i += 8)
            {
                var query = Vector256.Load(q + i);
                a0 = Vector256.FusedMultiplyAdd(query, Vector256.Load(k0 + i), a0);
                a1 = Vector256.FusedMultiplyAdd(query, Vector256.Load(k1 + i), a1);
                a2 = Vector256.FusedMultiplyAdd(query, Vector256.Load(k2 + i), a2);
                a3 = Vector256.FusedMultiplyAdd(query, Vector256.Load(k3 + i), a3);
            }

            scores[t] = Tail(q, k0, vectorEnd, d, Vector256.Sum(a0));
            scores[t + 1] = Tail(q, k1, vectorEnd, d, Vector256.Sum(a1));
            scores[t + 2] = Tail(q, k2, vectorEnd, d, Vector256.Sum(a2));
            scores[t + 3] = Tail(q, k3, vectorEnd, d, Vector256.Sum(a3));
        }

        for (; t < count; t++)
        {
            var key = keys + (long)t * d;
            var sum = Vector256<float>.Zero;
            for (var i = 0; i < vectorEnd; i += 8)
            {
                sum = Vector256.FusedMultiplyAdd(Vector256.Load(q + i), Vector256.Load(key + i), sum);
            }

            scores[t] = Tail(q, key, vectorEnd, d, Vector256.Sum(sum));
        }
    }

    /// <summary>The scalar tail of a dot product past its whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* q, float* key, int from, int d, float sum)
    {
        for (var i = from; i < d; i++)
        {
            sum = MathF.FusedMultiplyAdd(q[i], key[i], sum);
        }

        return sum;
    }

    /// <summary>
    /// output += Σ_t weights[t] · values[t], each output element summed over t in order; four 8-lane chunks of the
    /// output at a time, so that four FMA chains run side by side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    private static void WeightedSum(float* weights, float* values, int count, int d, float* output)
    {
        var i = 0;
        for (; i + 32 <= d; i += 32)
        {
            var (s0, s1, s2, s3) = (Vector256.Load(output + i), Vector256.Load(output + i + 8), Vector256.Load(output + i + 16), Vector256.Load(output + i + 24));
            for (var t = 0; t < count; t++)
            {
                var weight = Vector256.Create(weights[t]);
                var row = values + (long)t * d + i;
                s0 = Vector256.FusedMultiplyAdd(weight, Vector256.Load(row), s0);
                s1 = Vector256.FusedMultiplyAdd(weight, Vector256.Load(row + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(weight, Vector256.Load(row + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(weight, Vector256.Load(row + 24), s3);
            }

            s0.Store(output + i);
            s1.Store(output + i + 8);
            s2.Store(output + i + 16);
            s3.Store(output + i + 24);
        }

        for (; i + 8 <= d; i += 8)
        {
            var sum = Vector256.Load(output + i);
            for (var t = 0; t < count; t++)
            {
                sum = Vector256.FusedMultiplyAdd(Vector256.Create(weights[t]), Vector256.Load(values + (long)t * d + i), sum);
            }

            sum.Store(output + i);
        }

        for (; i < d; i++)
        {
            var sum = output[i];
            for (var t = 0; t < count; t++)
            {
                sum = MathF.FusedMultiplyAdd(weights[t], values[(long)t * d + i], sum);
            }

            output[i] = sum;
        }
    }

    /// <summary>SiLU(gate)·up for the two halves of each row of <paramref name="gateUp"/> <c>[rows, 2·intermediate]</c>.</summary>
    private static void SiluTimesUp(float* gateUp, float* output, Shape shape, int threads)
    {
        var (input, result, width) = ((nint)gateUp, (nint)output, shape.Intermediate);
        ForEachRow(shape.Rows, 2L * width, threads, r =>
            SiluTimesUpRow((float*)input + 2L * r * width, (float*)input + (2L * r + 1) * width, (float*)result + (long)r * width, width));
    }

    /// <summary>
    /// gate·σ(gate)·up in one pass, σ from <see cref="Sigmoid"/> (TensorPrimitives' Sigmoid took three passes with an
    /// exp 5–10× slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    private static void SiluTimesUpRow(float* gate, float* up, float* output, int width)
    {
        var i = 0;
        for (; i + 8 <= width; i += 8)
        {
            var g = Vector256.Load(gate + i);
            (g * Sigmoid(g) * Vector256.Load(up + i)).Store(output + i);
        }

        for (; i < width; i++)
        {
            output[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
        }
    }

    /// <summary>
    /// 1 / (1 + exp(−x)) to about 2e-7 relative. exp(y), y clamped to [−87, 88], is 2^k · exp(r) with
    /// y = k·ln 2 + r, |r| ≤ ln 2 / 2 (ln 2 in two parts), and exp(r) its Taylor series to degree 7 (remainder
    /// below 5e-9).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sigmoid(Vector256<float> x)
    {
        const float Log2E = 1.44269504f;
        const float Ln2High = 0.693359375f; // 355/512: k·Ln2High is exact for |k| < 2^15
        const float Ln2Low = -2.12194440e-4f; // ln 2 − Ln2High
        var y = Vector256.Min(Vector256.Max(-x, Vector256.Create(-87f)), Vector256.Create(88f));
        var k = Vector256.Round(y * Log2E);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), y);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1f / 5040);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var twoToTheK = Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
        return Vector256<float>.One / (Vector256<float>.One + p * twoToTheK);
    }

    /// <summary>The residual stream <paramref name="x"/> += <paramref name="addend"/>, both <c>[rows, hidden]</c>.</summary>
    private static void AddInPlace(float* x, float* addend, Shape shape, int threads)
    {
        var (target, source, hidden) = ((nint)x, (nint)addend, shape.Hidden);
        ForEachRow(shape.Rows, hidden, threads, r =>
        {
            var row = new Span<float>((float*)target + (long)r * hidden, hidden);
            TensorPrimitives.Add(row, new ReadOnlySpan<float>((float*)source + (long)r * hidden, hidden), row);
        });
    }

    /// <summary>The sizes one step works with.</summary>
    private sealed class Shape(TransformerConfig config, int rows)
    {
        public int Rows { get; } = rows;
        public int Hidden { get; } = config.HiddenSize;
        public int Intermediate { get; } = config.IntermediateSize;
        public int Heads { get; } = config.HeadCount;
        public int KeyValueHeads { get; } = config.KeyValueHeadCount;
        public int HeadDim { get; } = config.HeadDim;
        public int Group { get; } = config.HeadCount / config.KeyValueHeadCount;

        /// <summary>Queries, keys and values side by side in one row of the fused projection.</summary>
        public int QkvWidth { get; } = (config.HeadCount + 2 * config.KeyValueHeadCount) * config.HeadDim;

        /// <summary>1/√head_dim rounded to float32, as the tensor step's multiply by a double scalar rounds it.</summary>
        public float AttentionScale { get; } = (float)(1.0 / Math.Sqrt(config.HeadDim));
    }

    /// <summary>What an attention work item reads (addresses as <c>nint</c>: a lambda cannot capture pointers).</summary>
    private sealed record AttentionContext(
        nint Qkv, nint Output, nint PrefixKeys, nint PrefixValues, int LongestPrompt, nint SuffixKeys, nint SuffixValues, int SuffixCapacity,
        int[] PromptLengths, int[] PromptOfRow, int[] SuffixLengths, Shape Shape);
}
