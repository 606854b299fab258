namespace Tts.Engines.Gguf.Format;

/// <summary>The ggml element types this project writes and sizes (the numbers are ggml's).</summary>
public enum GgufTensorType : uint
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
}

/// <summary>Sizes of ggml element types, and the names `tts export gguf --type` takes.</summary>
public static class GgufTensorTypes
{
    /// <summary>A q8_0 block: 32 weights sharing one f16 scale.</summary>
    public const int Q8BlockSize = 32;

    public static GgufTensorType Parse(string name) => name switch
    {
        "f32" => GgufTensorType.F32,
        "f16" => GgufTensorType.F16,
        "q8_0" => GgufTensorType.Q8_0,
        _ => throw new ArgumentException($"unknown GGUF tensor type '{name}' (supported: f32, f16, q8_0)", nameof(name)),
    };

    public static string Name(this GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => "f32",
        GgufTensorType.F16 => "f16",
        GgufTensorType.Q8_0 => "q8_0",
        _ => type.ToString(),
    };

    /// <summary>
    /// Bytes of a tensor of <paramref name="elements"/> elements, or null for a type this project does not size.
    /// A q8_0 block is 2 bytes of scale plus 32 one-byte weights.
    /// </summary>
    public static long? ByteSize(uint type, long elements) => type switch
    {
        (uint)GgufTensorType.F32 => elements * 4,
        (uint)GgufTensorType.F16 => elements * 2,
        (uint)GgufTensorType.Q8_0 when elements % Q8BlockSize == 0 => elements / Q8BlockSize * (2 + Q8BlockSize),
        _ => null,
    };
}
