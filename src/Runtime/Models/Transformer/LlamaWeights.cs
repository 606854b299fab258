using TorchSharp;
using Tts.Runtime.Models.Checkpoints;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// One decoder layer's weights. The q/k/v projections are fused into one matrix and gate/up into another, so a
/// layer costs three large matmuls per step instead of six (each op is a P/Invoke plus a GEMM launch).
/// </summary>
internal sealed record LlamaLayerWeights(
    Tensor InputNorm, Tensor QueryKeyValue, Tensor? QueryKeyValueBias, Tensor Output, Tensor PostAttentionNorm, Tensor GateUp, Tensor Down)
{
    public IEnumerable<Tensor> All() =>
        new[] { InputNorm, QueryKeyValue, QueryKeyValueBias, Output, PostAttentionNorm, GateUp, Down }.OfType<Tensor>();
}

/// <summary>
/// The weights of a Llama-family decoder in the compute dtype on one device, detached from every dispose scope and
/// disposed with this object. Built from a checkpoint with Hugging Face tensor names, or randomly (tests, benchmarks).
/// </summary>
internal sealed class LlamaWeights : IDisposable
{
    private LlamaWeights(TransformerConfig config, Tensor embedding, IReadOnlyList<LlamaLayerWeights> layers, Tensor finalNorm, Tensor languageModelHead)
    {
        Config = config;
        Embedding = embedding;
        Layers = layers;
        FinalNorm = finalNorm;
        LanguageModelHead = languageModelHead;
    }

    public TransformerConfig Config { get; }

    /// <summary>[vocab, hidden].</summary>
    public Tensor Embedding { get; }

    public IReadOnlyList<LlamaLayerWeights> Layers { get; }

    public Tensor FinalNorm { get; }

    /// <summary>[vocab, hidden]; the same tensor as <see cref="Embedding"/> when the embeddings are tied.</summary>
    public Tensor LanguageModelHead { get; }

    public bool HasAttentionBiases => Layers.Count > 0 && Layers[0].QueryKeyValueBias is not null;

    public long ParameterCount => AllDistinct().Sum(t => t.numel());

    public static LlamaWeights Load(TransformerConfig config, Checkpoint checkpoint, ScalarType dtype, Device device, string configPath)
    {
        var loaded = new List<Tensor>();
        try
        {
            Tensor Read(string name, params long[] shape)
            {
                var tensor = checkpoint.Load(name, shape, dtype, device, $"from {configPath}").DetachFromDisposeScope();
                loaded.Add(tensor);
                return tensor;
            }

            var hidden = config.HiddenSize;
            var queryWidth = (long)config.HeadCount * config.HeadDim;
            var keyValueWidth = (long)config.KeyValueHeadCount * config.HeadDim;
            var withBiases = checkpoint.Contains("model.layers.0.self_attn.q_proj.bias");
            var embedding = Read("model.embed_tokens.weight", config.VocabSize, hidden);
            var layers = new List<LlamaLayerWeights>();
            for (var i = 0; i < config.LayerCount; i++)
            {
                var prefix = $"model.layers.{i}.";
                using var scope = torch.NewDisposeScope();
                var query = Read(prefix + "self_attn.q_proj.weight", queryWidth, hidden);
                var key = Read(prefix + "self_attn.k_proj.weight", keyValueWidth, hidden);
                var value = Read(prefix + "self_attn.v_proj.weight", keyValueWidth, hidden);
                Tensor? bias = null;
                if (withBiases)
                {
                    bias = Keep(torch.cat([Read(prefix + "self_attn.q_proj.bias", queryWidth), Read(prefix + "self_attn.k_proj.bias", keyValueWidth),
                        Read(prefix + "self_attn.v_proj.bias", keyValueWidth)], 0), loaded);
                }

                var gate = Read(prefix + "mlp.gate_proj.weight", config.IntermediateSize, hidden);
                var up = Read(prefix + "mlp.up_proj.weight", config.IntermediateSize, hidden);
                layers.Add(new LlamaLayerWeights(
                    Read(prefix + "input_layernorm.weight", hidden),
                    Keep(torch.cat([query, key, value], 0), loaded),
                    bias,
                    Read(prefix + "self_attn.o_proj.weight", hidden, queryWidth),
                    Read(prefix + "post_attention_layernorm.weight", hidden),
                    Keep(torch.cat([gate, up], 0), loaded),
                    Read(prefix + "mlp.down_proj.weight", hidden, config.IntermediateSize)));

                // The unfused parts are no longer needed once fused. Removed by reference: List.Remove would call
                // Tensor.Equals, which compares values (NaN never equal) and reads disposed tensors.
                foreach (var part in new[] { query, key, value, gate, up })
                {
                    loaded.RemoveAll(tensor => ReferenceEquals(tensor, part));
                    part.Dispose();
                }
            }

            var finalNorm = Read("model.norm.weight", hidden);
            var head = config.TieWordEmbeddings ? embedding : Read("lm_head.weight", config.VocabSize, hidden);
            return new LlamaWeights(config, embedding, layers, finalNorm, head);
        }
        catch
        {
            foreach (var tensor in loaded)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Seeded random weights: projections N(0, 0.02²), norms 1 + N(0, 0.1²) so that the norm weights matter,
    /// biases N(0, 0.02²). The same seed gives the same weights on every machine (torch's CPU generator).
    /// </summary>
    public static LlamaWeights CreateRandom(TransformerConfig config, long seed, bool withAttentionBiases, Device device)
    {
        var generator = new Generator((ulong)seed);
        Tensor Normal(double mean, double std, params long[] shape)
        {
            using var scope = torch.NewDisposeScope();
            var sample = torch.randn(shape, ScalarType.Float32, torch.CPU, generator: generator) * std + mean;
            return sample.to(device).MoveToOuterDisposeScope().DetachFromDisposeScope();
        }

        var hidden = config.HiddenSize;
        var queryWidth = (long)config.HeadCount * config.HeadDim;
        var fusedWidth = queryWidth + 2L * config.KeyValueHeadCount * config.HeadDim;
        var embedding = Normal(0, 0.02, config.VocabSize, hidden);
        var layers = Enumerable.Range(0, config.LayerCount).Select(_ => new LlamaLayerWeights(
            Normal(1, 0.1, hidden),
            Normal(0, 0.02, fusedWidth, hidden),
            withAttentionBiases ? Normal(0, 0.02, fusedWidth) : null,
            Normal(0, 0.02, hidden, queryWidth),
            Normal(1, 0.1, hidden),
            Normal(0, 0.02, 2L * config.IntermediateSize, hidden),
            Normal(0, 0.02, hidden, config.IntermediateSize))).ToList();
        var finalNorm = Normal(1, 0.1, hidden);
        var head = config.TieWordEmbeddings ? embedding : Normal(0, 0.02, config.VocabSize, hidden);
        generator.Dispose();
        return new LlamaWeights(config, embedding, layers, finalNorm, head);
    }

    /// <summary>
    /// The weights under their Hugging Face names, unfused (views into the fused tensors, owned by the caller's
    /// dispose scope). The tied head is not listed, as Hugging Face omits it.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedTensors()
    {
        var queryWidth = (long)Config.HeadCount * Config.HeadDim;
        var keyValueWidth = (long)Config.KeyValueHeadCount * Config.HeadDim;
        yield return new("model.embed_tokens.weight", Embedding);
        for (var i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            var prefix = $"model.layers.{i}.";
            yield return new(prefix + "input_layernorm.weight", layer.InputNorm);
            yield return new(prefix + "self_attn.q_proj.weight", layer.QueryKeyValue.narrow(0, 0, queryWidth));
            yield return new(prefix + "self_attn.k_proj.weight", layer.QueryKeyValue.narrow(0, queryWidth, keyValueWidth));
            yield return new(prefix + "self_attn.v_proj.weight", layer.QueryKeyValue.narrow(0, queryWidth + keyValueWidth, keyValueWidth));
            if (layer.QueryKeyValueBias is { } bias)
            {
                yield return new(prefix + "self_attn.q_proj.bias", bias.narrow(0, 0, queryWidth));
                yield return new(prefix + "self_attn.k_proj.bias", bias.narrow(0, queryWidth, keyValueWidth));
                yield return new(prefix + "self_attn.v_proj.bias", bias.narrow(0, queryWidth + keyValueWidth, keyValueWidth));
            }

            yield return new(prefix + "self_attn.o_proj.weight", layer.Output);
            yield return new(prefix + "post_attention_layernorm.weight", layer.PostAttentionNorm);
            yield return new(prefix + "mlp.gate_proj.weight", layer.GateUp.narrow(0, 0, Config.IntermediateSize));
            yield return new(prefix + "mlp.up_proj.weight", layer.GateUp.narrow(0, Config.IntermediateSize, Config.IntermediateSize));
            yield return new(prefix + "mlp.down_proj.weight", layer.Down);
        }

        yield return new("model.norm.weight", FinalNorm);
        if (!Config.TieWordEmbeddings)
        {
            yield return new("lm_head.weight", LanguageModelHead);
        }
    }

    /// <summary>Every distinct tensor (a tied head once): what an optimizer updates.</summary>
    internal IReadOnlyList<Tensor> DistinctTensors() => AllDistinct().ToList();

    /// <summary>
    /// The same structure with every tensor converted once (a tied head stays tied), e.g. into trainable
    /// parameters. The result owns the converted tensors; this object keeps its own.
    /// </summary>
    internal LlamaWeights Map(Func<Tensor, Tensor> convert)
    {
        var converted = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        Tensor C(Tensor t) => converted.TryGetValue(t, out var c) ? c : converted[t] = convert(t);
        Tensor? CN(Tensor? t) => t is null ? null : C(t);
        var layers = Layers.Select(l => new LlamaLayerWeights(
            C(l.InputNorm), C(l.QueryKeyValue), CN(l.QueryKeyValueBias), C(l.Output), C(l.PostAttentionNorm), C(l.GateUp), C(l.Down))).ToList();
        return new LlamaWeights(Config, C(Embedding), layers, C(FinalNorm), C(LanguageModelHead));
    }

    public void Dispose()
    {
        foreach (var tensor in AllDistinct())
        {
            tensor.Dispose();
        }
    }

    private IEnumerable<Tensor> AllDistinct() =>
        new[] { Embedding, FinalNorm, LanguageModelHead }.Concat(Layers.SelectMany(l => l.All())).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();

    private static Tensor Keep(Tensor tensor, List<Tensor> loaded)
    {
        tensor.DetachFromDisposeScope();
        loaded.Add(tensor);
        return tensor;
    }
}
