namespace Tts.Engines.Gguf.Engine;

/// <summary>How a GGUF model's llama.cpp context is made.</summary>
public sealed record GgufOptions
{
    /// <summary>
    /// llama.cpp sequences: at most this many rows (particles) live at once, over every decode state of the model.
    /// </summary>
    public int Sequences { get; init; } = 256;

    /// <summary>
    /// KV cache cells shared by all sequences (a prompt shared by forks counts once). Null: 64 cells per sequence of the
    /// model's training context, capped at 65536 and by <see cref="MaxKvCacheBytes"/>.
    /// </summary>
    public int? ContextTokens { get; init; }

    /// <summary>CPU threads for decoding; null: every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Layers offloaded to a GPU (needs a CUDA or Vulkan build of llama.cpp; the shipped backend is CPU only).</summary>
    public int GpuLayers { get; init; }

    /// <summary>
    /// Keys and values in float32 and flash attention off (llama.cpp's CPU flash attention rounds through f16): twice
    /// the KV memory, and log-probabilities that agree with the TorchSharp engine to about 3e-6 instead of 4e-3 on the
    /// shipped policy (measured; the differential tests use it).
    /// </summary>
    public bool FullPrecisionAttention { get; init; }

    /// <summary>The most memory the KV cache may take; null: a quarter of the memory available to the process.</summary>
    public long? MaxKvCacheBytes { get; init; }
}
