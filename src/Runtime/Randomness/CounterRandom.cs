using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Randomness;

/// <summary>
/// Counter-based randomness: every uniform is a pure hash of (row key, step, lane), so a
/// particle's draws never depend on which other particles share its batch, and one seed gives
/// the same output bit for bit. The scalar functions are the reference; the tensor version
/// computes exactly the same bits in batch.
/// </summary>
/// <remarks>
/// Definitions (all arithmetic on uint32, wrapping):
/// <list type="bullet">
/// <item><c>Mix</c> = lowbias32, a bijective integer hash with strong avalanche.</item>
/// <item><c>Combine(a, b) = Mix(a ^ Mix(b ^ 0x9E3779B9))</c>: order-sensitive, and a bijection in
/// each argument when the other is fixed, so distinct inputs never collide through one step.</item>
/// <item><c>RowKey = Combine(Combine(Combine(Combine(seedLow, seedHigh), run), stream), particle)</c>.</item>
/// <item><c>Uniform = (h + 0.5) / 2^32</c> with <c>h = Combine(Combine(Combine(rowKey, stepLow), stepHigh), lane)</c>,
/// which lies strictly inside (0, 1) and is computed exactly in float64 (h + 0.5 needs 33 bits).</item>
/// </list>
/// </remarks>
public static class CounterRandom
{
    /// <summary>The 32-bit golden-ratio constant, so that Combine(a, 0) is not Mix(a ^ 0) = Mix(a).</summary>
    private const uint Golden = 0x9E3779B9u;

    private const uint FirstMultiplier = 0x7feb352du;
    private const uint SecondMultiplier = 0x846ca68bu;
    private const long Low32Mask = 0xFFFFFFFFL;
    private const double TwoToThe32 = 4294967296.0;

    // Scalars alive for the process (see Sampling/Scalars.cs): (h + 0.5) · 2^-32.
    private static readonly Scalar Half = 0.5.ToScalar();
    private static readonly Scalar TwoToTheMinus32 = (1.0 / TwoToThe32).ToScalar();

    private static uint[] _laneHashes = [];

    public static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= FirstMultiplier;
        x ^= x >> 15;
        x *= SecondMultiplier;
        x ^= x >> 16;
        return x;
    }

    public static uint Combine(uint a, uint b) => Mix(a ^ Mix(b ^ Golden));

    /// <summary>The key of one particle's random stream; negative arguments are taken modulo 2^32.</summary>
    public static uint RowKey(ulong seed, int run, int stream, int particle) =>
        Combine(Combine(Combine(Combine((uint)seed, (uint)(seed >> 32)), unchecked((uint)run)), unchecked((uint)stream)), unchecked((uint)particle));

    public static double Uniform(uint rowKey, long step, int lane)
    {
        var h = Combine(StepKey(rowKey, step), unchecked((uint)lane));
        return (h + 0.5) / TwoToThe32;
    }

    /// <summary>A row key read from an int64 tensor, which must lie in [0, 2^32).</summary>
    internal static uint CheckedRowKey(long key, string parameterName) =>
        key is >= 0 and <= Low32Mask ? (uint)key : throw new ArgumentException("Row keys must lie in [0, 2^32).", parameterName);

    /// <summary>The row key with the step folded in: lane j's hash is <c>Mix(StepKey ^ LaneHashes[j])</c>.</summary>
    internal static uint StepKey(uint rowKey, long step) => Combine(Combine(rowKey, (uint)step), (uint)((ulong)step >> 32));

    /// <summary>
    /// [N, lanes] float64 uniforms in (0, 1): element [i, j] equals
    /// <c>Uniform((uint)rowKeys[i], step, j)</c> bit for bit.
    /// </summary>
    /// <param name="rowKeys">[N] int64 holding values in [0, 2^32).</param>
    public static Tensor Uniforms(Tensor rowKeys, long step, int lanes)
    {
        ArgumentNullException.ThrowIfNull(rowKeys);
        ArgumentOutOfRangeException.ThrowIfNegative(lanes);
        if (rowKeys.dtype != int64 || rowKeys.dim() != 1)
        {
            throw new ArgumentException(
                $"Expected [N] int64 row keys, got {rowKeys.dtype} of shape [{string.Join(", ", rowKeys.shape)}].", nameof(rowKeys));
        }

        if (rowKeys.device_type == DeviceType.CPU)
        {
            return UniformsOnHost(rowKeys, step, lanes);
        }

        return UniformsWithTensorOps(rowKeys, step, lanes);
    }

    /// <summary>
    /// <see cref="Uniforms"/> as torch operations on the keys' device (used off the CPU): about twenty passes over an
    /// [N, lanes] int64 tensor, since torch has no wrapping uint32 arithmetic.
    /// </summary>
    internal static Tensor UniformsWithTensorOps(Tensor rowKeys, long step, int lanes)
    {
        using var scope = NewDisposeScope();
        var device = rowKeys.device;
        if (rowKeys.numel() > 0
            && (rowKeys.min().item<long>() < 0 || rowKeys.max().item<long>() > Low32Mask))
        {
            throw new ArgumentException("Row keys must lie in [0, 2^32).", nameof(rowKeys));
        }

        // The step is the same for every row: fold it in with scalar arithmetic, then hash per row.
        var stepLow = Mix((uint)step ^ Golden);
        var stepHigh = Mix((uint)((ulong)step >> 32) ^ Golden);
        var keys = MixInPlace(rowKeys.bitwise_xor(Constant(stepLow, device)));
        keys = MixInPlace(keys.bitwise_xor_(Constant(stepHigh, device)));

        var lanesMixed = MixInPlace(arange(lanes, int64, device).bitwise_xor_(Constant(Golden, device)));
        var hashes = MixInPlace(keys.unsqueeze(1).bitwise_xor(lanesMixed.unsqueeze(0)));

        // (h + 0.5) · 2^-32 is exact in float64 and equals (h + 0.5) / 2^32 bit for bit.
        var uniforms = hashes.to_type(float64).add_(Half).mul_(TwoToTheMinus32);
        return uniforms.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Uniforms"/> on CPU: the same uint32 hash in C#, vectorized (wrapping uint32 multiply, logical
    /// shifts), written straight into the result tensor, one pass instead of twenty over [N, lanes] int64. Integer
    /// arithmetic and the exact conversion (h + 0.5) · 2^-32 make it bit-identical to the tensor version and to
    /// <see cref="Uniform"/>.
    /// </summary>
    private static Tensor UniformsOnHost(Tensor rowKeys, long step, int lanes)
    {
        var keys = rowKeys.data<long>().ToArray();
        var rowMixed = new uint[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            rowMixed[i] = StepKey(CheckedRowKey(keys[i], nameof(rowKeys)), step);
        }

        var laneMixed = LaneHashes(lanes);

        var result = empty([keys.Length, lanes], float64);
        var values = MemoryMarshal.Cast<byte, double>(result.bytes);
        for (var i = 0; i < keys.Length; i++)
        {
            FillRow(rowMixed[i], laneMixed, values.Slice(i * lanes, lanes));
        }

        return result;
    }

    /// <summary>Mix(j ^ Golden) for every lane j: the same for every row and step, so the last size's table is kept.</summary>
    internal static uint[] LaneHashes(int lanes)
    {
        var cached = _laneHashes;
        if (cached.Length == lanes)
        {
            return cached;
        }

        var table = new uint[lanes];
        for (var j = 0; j < lanes; j++)
        {
            table[j] = Mix((uint)j ^ Golden);
        }

        _laneHashes = table; // a reference write: another thread sees the old table or this complete one
        return table;
    }

    /// <summary>row[j] = (Mix(key ^ laneMixed[j]) + 0.5) · 2^-32, Vector&lt;uint&gt; lanes at a time.</summary>
    private static void FillRow(uint key, uint[] laneMixed, Span<double> row)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var keyVector = new Vector<uint>(key);
            var first = new Vector<uint>(FirstMultiplier);
            var second = new Vector<uint>(SecondMultiplier);
            var half = new Vector<double>(0.5);
            var scale = new Vector<double>(1.0 / TwoToThe32);
            for (; j + Vector<uint>.Count <= laneMixed.Length; j += Vector<uint>.Count)
            {
                var x = new Vector<uint>(laneMixed, j) ^ keyVector;
                x ^= Vector.ShiftRightLogical(x, 16);
                x *= first;
                x ^= Vector.ShiftRightLogical(x, 15);
                x *= second;
                x ^= Vector.ShiftRightLogical(x, 16);
                Vector.Widen(x, out var low, out var high);
                ((Vector.ConvertToDouble(low) + half) * scale).CopyTo(row[j..]);
                ((Vector.ConvertToDouble(high) + half) * scale).CopyTo(row[(j + Vector<ulong>.Count)..]);
            }
        }

        for (; j < laneMixed.Length; j++)
        {
            row[j] = (Mix(key ^ laneMixed[j]) + 0.5) / TwoToThe32;
        }
    }

    /// <summary>
    /// <see cref="Mix"/> on an int64 tensor whose values lie in [0, 2^32), overwriting it. In place
    /// because the [N, V] hash is the costliest part of sampling: fewer temporaries, less memory traffic.
    /// </summary>
    private static Tensor MixInPlace(Tensor x)
    {
        var device = x.device;
        x.bitwise_xor_(x.bitwise_right_shift(Constant(16, device)));
        Multiply32InPlace(x, FirstMultiplier, device);
        x.bitwise_xor_(x.bitwise_right_shift(Constant(15, device)));
        Multiply32InPlace(x, SecondMultiplier, device);
        return x.bitwise_xor_(x.bitwise_right_shift(Constant(16, device)));
    }

    /// <summary>
    /// x ← (x · c) mod 2^32 for x in [0, 2^32). Torch has no wrapping uint32 multiply, and int64
    /// overflow is undefined in C++, so every intermediate must stay below 2^63. For c &lt; 2^31 the
    /// direct product x·c &lt; 2^63 already does. Otherwise split c into 16-bit halves:
    /// x·c ≡ x·c_low + ((x·c_high mod 2^16) · 2^16) (mod 2^32), where each product stays below 2^48
    /// and the sum below 2^49. Right shifts of values in [0, 2^32) are exact.
    /// </summary>
    private static void Multiply32InPlace(Tensor x, uint c, Device device)
    {
        if (c < 0x8000_0000u)
        {
            using var whole = ((long)c).ToScalar();
            x.mul_(whole).bitwise_and_(Constant(Low32Mask, device));
            return;
        }

        using var highHalf = ((long)(c >> 16)).ToScalar();
        using var lowHalf = ((long)(c & 0xFFFF)).ToScalar();
        using var shift16 = 65536L.ToScalar();
        var high = x.mul(highHalf).bitwise_and_(Constant(0xFFFF, device)).mul_(shift16);
        x.mul_(lowHalf).add_(high).bitwise_and_(Constant(Low32Mask, device));
    }

    /// <summary>A 0-d int64 tensor: TorchSharp has no scalar overloads of the bitwise operations.</summary>
    private static Tensor Constant(long value, Device device) => tensor(value, int64, device);
}
