using System.Buffers.Binary;

namespace Tts.Engines.Gguf.Format;

/// <summary>Float32 weights encoded as the ggml element types: f32, f16, and q8_0 blocks (as ggml's reference quantizer).</summary>
public static class GgufEncoding
{
    public static byte[] Encode(ReadOnlySpan<float> values, GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => F32(values),
        GgufTensorType.F16 => F16(values),
        GgufTensorType.Q8_0 => Q8_0(values),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported GGUF tensor type"),
    };

    private static byte[] F32(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private static byte[] F16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return bytes;
    }

    /// <summary>
    /// Each block of 32: scale d = max|x| / 127 (stored as f16), weights round(x / d) as int8. The rounding uses the
    /// float32 scale, as ggml's quantize_row_q8_0_ref does, so a block decodes to d16 · q.
    /// </summary>
    private static byte[] Q8_0(ReadOnlySpan<float> values)
    {
        const int block = GgufTensorTypes.Q8BlockSize;
        if (values.Length % block != 0)
        {
            throw new ArgumentException($"q8_0 needs a multiple of {block} elements, got {values.Length}", nameof(values));
        }

        var bytes = new byte[values.Length / block * (2 + block)];
        for (var b = 0; b < values.Length / block; b++)
        {
            var chunk = values.Slice(b * block, block);
            var amax = 0f;
            foreach (var v in chunk)
            {
                amax = Math.Max(amax, Math.Abs(v));
            }

            var d = amax / 127f;
            var inverse = d == 0 ? 0f : 1f / d;
            var output = bytes.AsSpan(b * (2 + block));
            BinaryPrimitives.WriteHalfLittleEndian(output, (Half)d);
            for (var i = 0; i < block; i++)
            {
                output[2 + i] = unchecked((byte)(sbyte)MathF.Round(chunk[i] * inverse, MidpointRounding.AwayFromZero));
            }
        }

        return bytes;
    }
}
