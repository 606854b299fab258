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
        var h = Combine(Combine(Combine(rowKey, (uint)step), (uint)((ulong)step >> 32)), unchecked((uint)lane));
        return (h + 0.5) / TwoToThe32;
    }

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
        var uniforms = hashes.to_type(float64).add_(0.5).mul_(1.0 / TwoToThe32);
        return uniforms.MoveToOuterDisposeScope();
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
            x.mul_((long)c).bitwise_and_(Constant(Low32Mask, device));
            return;
        }

        var high = (x * (long)(c >> 16)).bitwise_and_(Constant(0xFFFF, device)).mul_(65536L);
        x.mul_((long)(c & 0xFFFF)).add_(high).bitwise_and_(Constant(Low32Mask, device));
    }

    /// <summary>A 0-d int64 tensor: TorchSharp has no scalar overloads of the bitwise operations.</summary>
    private static Tensor Constant(long value, Device device) => tensor(value, int64, device);
}
