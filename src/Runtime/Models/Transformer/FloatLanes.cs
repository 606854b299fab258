using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// The float vector operations the C# projection kernels are written over, so that one kernel source serves 256- and
/// 512-bit vectors (<see cref="Float256Lanes"/>, <see cref="Float512Lanes"/>): each kernel is instantiated per width
/// and the JIT compiles the operations to the width's instructions.
/// </summary>
internal unsafe interface IFloatLanes<TVector>
    where TVector : struct
{
    static abstract int Count { get; }

    /// <summary>Whether the width comes with 32 vector registers (AVX-512), so that 16–24 accumulators stay in registers; 16 otherwise.</summary>
    static abstract bool ThirtyTwoRegisters { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(float* source);

    static abstract void Store(TVector value, float* target);

    static abstract TVector Broadcast(float value);

    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary>
    /// The lanes of each of four vectors summed, in one fixed tree whichever of the four a vector is: halves added
    /// down to four lanes, then lanes 0 + 2 and 1 + 3, then those two (a transposed reduction: a third of the
    /// shuffles and adds of four separate sums, which at in = 768 cost about a tenth of the four-row kernel).
    /// </summary>
    static abstract Vector128<float> SumFour(TVector a, TVector b, TVector c, TVector d);
}

internal readonly unsafe struct Float256Lanes : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static bool ThirtyTwoRegisters => false;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* target) => value.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) =>
        Vector256.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumFour(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d) =>
        SumFourLanes(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    /// <summary><c>[Σa, Σb, Σc, Σd]</c>, each as <c>(v0 + v2) + (v1 + v3)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumFourLanes(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        var ab = Sse.UnpackLow(a, b) + Sse.UnpackHigh(a, b); // [a0 + a2, b0 + b2, a1 + a3, b1 + b3]
        var cd = Sse.UnpackLow(c, d) + Sse.UnpackHigh(c, d);
        return Sse.MoveLowToHigh(ab, cd) + Sse.MoveHighToLow(cd, ab);
    }
}

internal readonly unsafe struct Float512Lanes : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static bool ThirtyTwoRegisters => true;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* target) => value.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumFour(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
        Float256Lanes.SumFour(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
}
