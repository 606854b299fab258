using TorchSharp;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Tokenizers;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// A Llama-family decoder (Llama, SmolLM, Mistral, Qwen2) loaded from a Hugging Face model directory:
/// <c>config.json</c>, <c>model.safetensors</c> (or shards with <c>model.safetensors.index.json</c>) and
/// <c>tokenizer.json</c>. Weights are float32 in memory (F16/BF16 checkpoints are converted on load). Decoding is
/// batched: all rows of a step go through the network together, each distinct prompt is prefilled once.
/// </summary>
public sealed class TransformerModel : ILanguageModel
{
    public const string ConfigFileName = "config.json";
    public const string TokenizerFileName = "tokenizer.json";

    private readonly HuggingFaceTokenizer _tokenizer;

    private TransformerModel(TransformerConfig config, LlamaWeights weights, HuggingFaceTokenizer tokenizer, TransformerOptions options, string sourceName)
    {
        Config = config;
        Options = options;
        SourceName = sourceName;
        _tokenizer = tokenizer;
        Network = new LlamaNetwork(weights);
        Vocabulary = BuildVocabulary(config, tokenizer, sourceName);
        using var scope = torch.NewDisposeScope();
        var unassigned = Enumerable.Range(0, config.VocabSize).Select(id => id >= tokenizer.TokenTexts.Count || tokenizer.TokenTexts[id] is null).ToArray();
        UnassignedIds = unassigned.Any(u => u) ? torch.tensor(unassigned, device: Network.Device).DetachFromDisposeScope() : null;
        UnassignedIdList = [.. Enumerable.Range(0, unassigned.Length).Where(id => unassigned[id])];
    }

    public TransformerConfig Config { get; }

    public TransformerOptions Options { get; }

    /// <summary>The model directory (or a name for models built in memory), used in messages.</summary>
    public string SourceName { get; }

    public Vocabulary Vocabulary { get; }

    public Device Device => Network.Device;

    /// <summary>On <c>--device cuda</c> the KV cache and activations live on the GPU (device index -1 is the current, 0).</summary>
    public int? CudaDevice => Device.type == DeviceType.CUDA ? Math.Max(0, (int)Device.index) : null;

    /// <summary>The positions <see cref="BytesPerParticle"/> assumes a particle reaches: the context, at most 256.</summary>
    public int EstimatedPositions => Math.Min(Config.MaxPositionEmbeddings, 256);

    /// <summary>
    /// The KV cache of one row at <see cref="EstimatedPositions"/> positions, plus its activations in a decode step
    /// (hidden states, the MLP, attention scores and the logits, a few copies each, at 4 bytes).
    /// </summary>
    public long BytesPerParticle =>
        KvCache.BytesFor(Config, Network.DType, 0, 0, 1, EstimatedPositions)
        + 4L * (4L * Config.HiddenSize + 3L * Config.IntermediateSize + 2L * Config.HeadCount * EstimatedPositions + 4L * Config.VocabSize);

    public long ParameterCount => Network.Weights.ParameterCount;

    /// <summary>Token positions run through the network so far, prefill included (prefix sharing is visible here).</summary>
    public long TokensProcessed => Network.TokensProcessed;

    /// <summary>Forward passes run so far: one per prefill, one per decode step.</summary>
    public long ForwardCalls => Network.ForwardCalls;

    internal LlamaNetwork Network { get; }

    /// <summary>[vocab] true for ids with no token in tokenizer.json (padding rows of the embedding): never sampled.</summary>
    internal Tensor? UnassignedIds { get; }

    /// <summary>The ids of <see cref="UnassignedIds"/> (the host log-softmax's mask).</summary>
    internal int[] UnassignedIdList { get; }

    public static TransformerModel Load(string directory, TransformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new TransformerOptions();
        if (!Directory.Exists(directory))
        {
            throw new ModelException($"{directory}: model directory not found");
        }

        var configPath = RequireFile(directory, ConfigFileName);
        var config = TransformerConfig.Load(configPath);
        var tokenizer = HuggingFaceTokenizer.Load(RequireFile(directory, TokenizerFileName));
        var checkpoint = Checkpoint.Open(directory);
        var weights = LlamaWeights.Load(config, checkpoint, ScalarType.Float32, options.ResolveDevice(), configPath);
        try
        {
            return new TransformerModel(config, weights, tokenizer, options, directory);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>A model with seeded random weights (tests and benchmarks); <paramref name="tokenizerJson"/> is a tokenizer.json text.</summary>
    public static TransformerModel CreateRandom(
        TransformerConfig config, string tokenizerJson, long seed, TransformerOptions? options = null, bool withAttentionBiases = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new TransformerOptions();
        var tokenizer = HuggingFaceTokenizer.Parse(tokenizerJson, TokenizerFileName);
        var weights = LlamaWeights.CreateRandom(config, seed, withAttentionBiases, options.ResolveDevice());
        try
        {
            return new TransformerModel(config, weights, tokenizer, options, $"random(seed {seed})");
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>A model over weights built elsewhere (training); it owns and disposes them.</summary>
    internal static TransformerModel FromWeights(LlamaWeights weights, string tokenizerJson, TransformerOptions options, string sourceName) =>
        new(weights.Config, weights, HuggingFaceTokenizer.Parse(tokenizerJson, TokenizerFileName), options, sourceName);

    /// <summary>
    /// Writes a Hugging Face model directory: config.json, tokenizer.json and the weights in <paramref name="dtype"/>,
    /// in one <c>model.safetensors</c> or, with <paramref name="shards"/> &gt; 1, in that many shards plus the index.
    /// </summary>
    public void Save(string directory, SafetensorsDType dtype, int shards = 1)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ConfigFileName), Config.ToJson());
        File.WriteAllText(Path.Combine(directory, TokenizerFileName), _tokenizer.Json);
        using var scope = torch.NewDisposeScope();
        var tensors = Network.Weights.NamedTensors().ToList();
        if (shards <= 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, Checkpoint.SingleFileName), tensors, dtype);
        }
        else
        {
            SafetensorsWriter.WriteSharded(directory, tensors, dtype, shards);
        }
    }

    /// <summary>The model's weights under their Hugging Face names (views owned by the caller's dispose scope).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedWeights() => Network.Weights.NamedTensors().ToList();

    public int[] Encode(string text) => _tokenizer.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) =>
        new TransformerDecodeState(this, prompts, promptOfRow);

    /// <summary>
    /// Float32 logits <c>[sequences, length, vocab]</c> of right-padded token sequences at every position, by one
    /// causal forward pass without a cache: the reference the cached decode is tested against.
    /// </summary>
    public Tensor FullForwardLogits(Tensor tokens) => Network.Prefill(tokens.to(Device), lengths: null, cache: null);

    /// <summary>
    /// What a decoding row starts from: the prompt's tokens, or for an empty prompt the BOS token (else EOS, which
    /// byte-level models such as Qwen2 use as the document separator), since a transformer needs one token of context.
    /// </summary>
    internal int[] ContextOf(int[] prompt) =>
        prompt.Length > 0 ? prompt : [Config.BosTokenId ?? Vocabulary.EosId];

    public void Dispose()
    {
        UnassignedIds?.Dispose();
        Network.Dispose();
    }

    private static string RequireFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        return File.Exists(path) ? path : throw new ModelException($"{directory}: no {name} in the model directory");
    }

    private static Vocabulary BuildVocabulary(TransformerConfig config, HuggingFaceTokenizer tokenizer, string sourceName)
    {
        if (tokenizer.TokenTexts.Count > config.VocabSize)
        {
            throw new ModelException(
                $"{sourceName}: {TokenizerFileName} has {tokenizer.TokenTexts.Count} token ids, more than vocab_size {config.VocabSize} in {ConfigFileName}");
        }

        var eos = config.EosTokenId ?? throw new ModelException($"{sourceName}: {ConfigFileName} has no eos_token_id");
        if (eos >= config.VocabSize)
        {
            throw new ModelException($"{sourceName}: eos_token_id {eos} is outside vocab_size {config.VocabSize}");
        }

        var texts = new string[config.VocabSize];
        for (var id = 0; id < texts.Length; id++)
        {
            texts[id] = id < tokenizer.TokenTexts.Count ? tokenizer.TokenTexts[id] ?? "" : "";
        }

        return new Vocabulary(texts, eos);
    }
}
