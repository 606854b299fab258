using Tts.Runtime.Models.Transformer;

namespace Tts.Benchmarking;

/// <summary>Which ceiling a step's floor time comes from.</summary>
public enum RooflineBound
{
    Compute,
    Bandwidth,
}

/// <summary>
/// The work of one batched decode step of a Llama-style decoder, from its configuration: <see cref="Flops"/> and the
/// bytes that must cross memory at least once (<see cref="Bytes"/>). The floor time is the larger of FLOPs / matmul
/// rate and bytes / bandwidth: no implementation on this machine can be faster.
/// </summary>
/// <remarks>
/// Counted, per step of <c>rows</c> rows each attending to <c>prompt</c> shared positions plus <c>generated</c> own
/// positions: FLOPs = 2 · rows · (projection and MLP weights + the output head) + per layer 4 · rows · heads · head_dim
/// · context (scores and weighted values). Bytes (float32) = every weight read once (the embedding table only for
/// the rows' tokens, unless it is tied to the output head, which reads it whole) + the shared prompt's keys and values
/// read once (this runtime attends all rows to one copy) + each row's own keys and values + the [rows, vocab] logits
/// written once. Norms, RoPE, softmax and the log-softmax over the vocabulary are left out: they are O(rows · hidden)
/// or O(rows · vocab) elementwise work, small beside the matmuls, so the floor is an underestimate, never an over-.
/// </remarks>
public sealed record DecodeStepCost(double Flops, double Bytes)
{
    private const double Float32Bytes = 4;

    public static DecodeStepCost Of(TransformerConfig config, int rows, int prompt, int generated)
    {
        ArgumentNullException.ThrowIfNull(config);
        double hidden = config.HiddenSize, heads = config.HeadCount, kvHeads = config.KeyValueHeadCount, headDim = config.HeadDim;
        var perLayerWeights = hidden * (heads + 2 * kvHeads) * headDim // fused q, k, v
                              + heads * headDim * hidden // output projection
                              + 3 * hidden * config.IntermediateSize; // gate, up, down
        var headWeights = (double)config.VocabSize * hidden;
        var matmulWeights = config.LayerCount * perLayerWeights + headWeights;
        var context = prompt + generated;
        var attentionFlops = config.LayerCount * 4.0 * rows * heads * headDim * context;
        var flops = 2.0 * rows * matmulWeights + attentionFlops;

        var normWeights = (2.0 * config.LayerCount + 1) * hidden;
        var embeddingRead = config.TieWordEmbeddings ? 0 : rows * hidden; // tied: the head reads the table whole
        var weightBytes = (matmulWeights + normWeights + embeddingRead) * Float32Bytes;
        var kvPerPosition = 2.0 * config.LayerCount * kvHeads * headDim * Float32Bytes;
        var cacheBytes = kvPerPosition * (prompt + (double)rows * generated);
        var logitBytes = (double)rows * config.VocabSize * Float32Bytes;
        return new DecodeStepCost(flops, weightBytes + cacheBytes + logitBytes);
    }

    /// <summary>Floating-point operations per byte moved: above the machine's ridge point a step is compute-bound.</summary>
    public double Intensity => Flops / Bytes;

    public double ComputeSeconds(MachineRates rates) => Flops / (rates ?? throw new ArgumentNullException(nameof(rates))).MatmulFlopsPerSecond;

    public double MemorySeconds(MachineRates rates) => Bytes / (rates ?? throw new ArgumentNullException(nameof(rates))).BandwidthBytesPerSecond;

    public double FloorSeconds(MachineRates rates) => Math.Max(ComputeSeconds(rates), MemorySeconds(rates));

    public RooflineBound Bound(MachineRates rates) => ComputeSeconds(rates) >= MemorySeconds(rates) ? RooflineBound.Compute : RooflineBound.Bandwidth;
}
