namespace Tts.Engines.Gguf.Format;

/// <summary>One tensor of a GGUF file: dimensions innermost first (ggml's ne), element type, offset within the data section.</summary>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, uint Type, long Offset)
{
    public long Elements => Dimensions.Aggregate(1L, (product, d) => product * d);
}
