using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Tts.Runtime.Sampling;

/// <summary>
/// Float64 log-probabilities from float32 logits on the CPU, row by row in C#: (x − max) − log Σ exp(x − max) on the
/// widened logits, the formula of torch's <c>log_softmax</c>, written straight into the result without the float64
/// copy and second buffer that <c>to(Float64).log_softmax(1)</c> allocates (74 ms of a 425 ms step at 256 rows of a
/// 32,000-token vocabulary, <c>docs/performance.md</c>). Exp appears only inside the sum, computed with .NET's vector
/// <c>Exp</c> (<see cref="ExpOfNonPositive"/>); a row is summed in one fixed order, so its values do not
/// depend on the rows beside it or the thread count. They may differ from <c>log_softmax</c>'s in the last bits.
/// </summary>
internal static unsafe class HostLogSoftmax
{
    /// <summary>Elements below which one thread does every row.</summary>
    private const long MinimumParallelWork = 1L << 17;

    public static bool Applies(Tensor logits) =>
        logits.device_type == DeviceType.CPU && logits.dtype == ScalarType.Float32 && logits.dim() == 2 && logits.is_contiguous();

    /// <summary>
    /// <c>[rows, vocab]</c> float64 log-probabilities of <paramref name="logits"/> (only where <see cref="Applies"/>), the
    /// ids in <paramref name="impossible"/> given probability 0. A new tensor in the caller's dispose scope.
    /// </summary>
    public static Tensor Compute(Tensor logits, int[] impossible, int threads)
    {
        var (rows, vocab) = ((int)logits.shape[0], (int)logits.shape[1]);
        var result = torch.empty([rows, vocab], ScalarType.Float64, logits.device);
        var (source, target) = ((nint)TensorMemory.Floats(logits), (nint)TensorMemory.Doubles(result));
        HostParallel.For(rows, (long)rows * vocab, MinimumParallelWork, threads,
            r => Row((float*)source + (long)r * vocab, (double*)target + (long)r * vocab, vocab, impossible));

        GC.KeepAlive(logits);
        return result;
    }

    private static void Row(float* logits, double* output, int vocab, int[] impossible)
    {
        var values = new Span<double>(output, vocab);
        TensorPrimitives.ConvertChecked<float, double>(new ReadOnlySpan<float>(logits, vocab), values);
        foreach (var id in impossible)
        {
            values[id] = double.NegativeInfinity;
        }

        TensorPrimitives.Subtract(values, TensorPrimitives.Max(values), values);
        TensorPrimitives.Subtract(values, Math.Log(SumOfExp(output, vocab)), values);
    }

    /// <summary>
    /// Σ exp(x) over a row already shifted by its maximum (every x ≤ 0, −∞ for impossible ids), four lanes at a time
    /// with <see cref="ExpOfNonPositive"/>: .NET's vector <c>Exp</c> on doubles took 3–5 ns an element here, as long as
    /// the rest of the row's work together.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    private static double SumOfExp(double* x, int count)
    {
        var accumulator = Vector256<double>.Zero;
        var i = 0;
        for (; i + 4 <= count; i += 4)
        {
            accumulator += ExpOfNonPositive(Vector256.Load(x + i));
        }

        var sum = Vector256.Sum(accumulator);
        for (; i < count; i++)
        {
            sum += Math.Exp(x[i]);
        }

        return sum;
    }

    /// <summary>
    /// exp(x) for x ≤ 0 to about 2e-16 relative: x = k·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts), exp(r) by its
    /// Taylor series to degree 12 (the remainder below 2e-16), times 2^k built in the exponent bits. Below −708 (−∞
    /// included) x is taken as −708: exp gives ~3e-308 there, which cannot change a sum that holds exp(0) = 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> ExpOfNonPositive(Vector256<double> x)
    {
        const double Log2E = 1.4426950408889634;
        const double Ln2High = 0.693147180369123816490; // the first 32 bits of ln 2: k·Ln2High is exact
        const double Ln2Low = 1.90821492927058770002e-10;
        x = Vector256.Max(x, Vector256.Create(-708.0));
        var k = Vector256.Round(x * Log2E);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Low), r);
        var p = Vector256.Create(1.0 / 479001600); // 1/12!
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 39916800));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 3628800));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 362880));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 40320));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 5040));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        var twoToTheK = Vector256.ShiftLeft(Vector256.ConvertToInt64(k) + Vector256.Create(1023L), 52).AsDouble();
        return p * twoToTheK;
    }
}
