using System.Globalization;
using TorchSharp;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;

namespace Tts.Engines.Gguf.Export;

/// <summary>What an export wrote: tensors, bytes, and tensors kept wider than asked (1-D norms, rows not a multiple of 32).</summary>
public sealed record GgufExportSummary(string Path, int Tensors, long Bytes, GgufTensorType Type, IReadOnlyList<string> KeptWider);

/// <summary>
/// A Llama-family Hugging Face checkpoint (config.json, safetensors, tokenizer.json) as a GGUF file llama.cpp runs
/// with architecture <c>llama</c>. The q and k projections are permuted from Hugging Face's rotate-half rotary layout
/// to llama.cpp's interleaved one; the output head is omitted when the embeddings are tied.
/// </summary>
public static class LlamaGgufExporter
{
    /// <summary>
    /// The metadata key marking a reward model: its scalar head is stored as row <c>score_token</c> of <c>output.weight</c>
    /// (every other row zero), so that llama.cpp's logit of that token at a text's last position is the head's value
    /// and the score is its sigmoid (<see cref="Engine.GgufRewardModel"/>).
    /// </summary>
    public const string ScoreTokenKey = "tts.reward.score_token";

    /// <summary>
    /// Exports a policy directory, or a reward model directory (<c>LlamaForSequenceClassification</c> with a scalar
    /// <c>score.weight</c>, as <c>tts train prm</c> writes) whose head becomes one row of the output matrix.
    /// </summary>
    public static GgufExportSummary Export(string modelDirectory, string outPath, GgufTensorType type)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        ArgumentNullException.ThrowIfNull(outPath);
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(modelDirectory, TransformerModel.TokenizerFileName));
        var name = Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd('/'));
        if (IsRewardModel(modelDirectory))
        {
            using var reward = TransformerRewardModel.Load(modelDirectory, new TransformerOptions { Device = DevicePreference.Cpu });
            using var scope = torch.NewDisposeScope();
            return Write(reward.Config, reward.SourceName, reward.NamedWeights(), tokenizer, name, outPath, type);
        }

        using var model = TransformerModel.Load(modelDirectory, new TransformerOptions { Device = DevicePreference.Cpu });
        return Export(model, tokenizer, name, outPath, type);
    }

    public static GgufExportSummary Export(TransformerModel model, HuggingFaceTokenizer tokenizer, string name, string outPath, GgufTensorType type)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = torch.NewDisposeScope();
        return Write(model.Config, model.SourceName, model.NamedWeights(), tokenizer, name, outPath, type);
    }

    private static bool IsRewardModel(string modelDirectory)
    {
        var configPath = Path.Combine(modelDirectory, TransformerModel.ConfigFileName);
        return File.Exists(configPath)
               && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))?["architectures"] is System.Text.Json.Nodes.JsonArray architectures
               && architectures.Any(a => a?.GetValueKind() == System.Text.Json.JsonValueKind.String && a.GetValue<string>() == TransformerRewardModel.Architecture);
    }

    private static GgufExportSummary Write(
        TransformerConfig config, string sourceName, IReadOnlyList<KeyValuePair<string, torch.Tensor>> weights, HuggingFaceTokenizer tokenizer, string name, string outPath, GgufTensorType type)
    {
        if (config.RopeScaling is { Type: not "linear" } scaling)
        {
            throw new ModelException($"{sourceName}: rope_scaling '{scaling.Type}' cannot be exported to GGUF yet (supported: none, linear)");
        }

        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddString("general.name", name);
        writer.AddUInt32("general.alignment", GgufWriter.DefaultAlignment);
        writer.AddUInt32("general.file_type", type switch { GgufTensorType.F32 => 0u, GgufTensorType.F16 => 1u, _ => 7u });
        writer.AddUInt32("llama.vocab_size", (uint)config.VocabSize);
        writer.AddUInt32("llama.context_length", (uint)config.MaxPositionEmbeddings);
        writer.AddUInt32("llama.embedding_length", (uint)config.HiddenSize);
        writer.AddUInt32("llama.block_count", (uint)config.LayerCount);
        writer.AddUInt32("llama.feed_forward_length", (uint)config.IntermediateSize);
        writer.AddUInt32("llama.attention.head_count", (uint)config.HeadCount);
        writer.AddUInt32("llama.attention.head_count_kv", (uint)config.KeyValueHeadCount);
        writer.AddUInt32("llama.attention.key_length", (uint)config.HeadDim);
        writer.AddUInt32("llama.attention.value_length", (uint)config.HeadDim);
        writer.AddFloat32("llama.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps);
        writer.AddUInt32("llama.rope.dimension_count", (uint)config.HeadDim);
        writer.AddFloat32("llama.rope.freq_base", (float)config.RopeTheta);
        if (config.RopeScaling is { } linear)
        {
            writer.AddString("llama.rope.scaling.type", "linear");
            writer.AddFloat32("llama.rope.scaling.factor", (float)linear.Factor);
        }

        var eos = config.EosTokenId ?? throw new ModelException($"{sourceName}: config.json has no eos_token_id");
        GgufTokenizerExport.AddTo(writer, tokenizer, config.VocabSize, eos, config.BosTokenId);
        if (weights.Any(w => w.Key == TransformerRewardModel.ScoreHeadName))
        {
            writer.AddUInt32(ScoreTokenKey, ScoreToken);
        }

        var keptWider = new List<string>();
        var count = 0;
        long bytes = 0;
        foreach (var (hfName, weight) in weights)
        {
            var tensor = hfName == TransformerRewardModel.ScoreHeadName ? AsOutputRow(weight, config.VocabSize) : weight;
            var ggufName = TensorName(hfName) ?? throw new ModelException($"{sourceName}: no GGUF name for tensor '{hfName}'");
            var shape = tensor.shape;
            var tensorType = StorageType(shape, type);
            if (tensorType != type)
            {
                keptWider.Add(ggufName);
            }

            var source = tensor;
            var permuteHeads = hfName.Contains(".q_proj.", StringComparison.Ordinal) ? config.HeadCount
                : hfName.Contains(".k_proj.", StringComparison.Ordinal) ? config.KeyValueHeadCount
                : 0;
            writer.AddTensor(ggufName, shape, tensorType, () =>
            {
                using var inner = torch.NewDisposeScope();
                var values = permuteHeads > 0 ? ToInterleavedRotary(source, permuteHeads) : source;
                var floats = values.detach().to(torch.ScalarType.Float32, torch.CPU).contiguous().data<float>().ToArray();
                return GgufEncoding.Encode(floats, tensorType);
            });
            count++;
            bytes += GgufTensorTypes.ByteSize((uint)tensorType, tensor.numel())!.Value;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new ModelException($"{outPath}: the output directory does not exist");
        }

        writer.Write(outPath);
        return new GgufExportSummary(outPath, count, bytes, type, keptWider);
    }

    /// <summary>The output-matrix row that carries a reward model's scalar head.</summary>
    private const uint ScoreToken = 0;

    /// <summary>[vocab, hidden]: the [1, hidden] head at row <see cref="ScoreToken"/>, zeros elsewhere.</summary>
    private static torch.Tensor AsOutputRow(torch.Tensor head, int vocabularySize)
    {
        var output = torch.zeros([vocabularySize, head.shape[^1]], torch.ScalarType.Float32);
        output[(long)ScoreToken].copy_(head.reshape(-1).to(torch.ScalarType.Float32, torch.CPU));
        return output;
    }

    /// <summary>
    /// Hugging Face rotates the two halves of each head ([x0..x(d/2−1)] against [x(d/2)..]); llama.cpp's
    /// LLAMA_ROPE_TYPE_NORM rotates adjacent pairs (x0, x1), (x2, x3), .... Reordering each head's output rows from
    /// [2, d/2] to [d/2, 2] makes the two compute the same function.
    /// </summary>
    internal static torch.Tensor ToInterleavedRotary(torch.Tensor weight, int heads)
    {
        var rows = weight.shape[0];
        var rest = weight.shape.Skip(1).ToArray();
        var headDim = rows / heads;
        return weight.reshape([heads, 2, headDim / 2, .. rest]).transpose(1, 2).reshape(weight.shape);
    }

    /// <summary>Norm weights (1-D) stay f32, as llama.cpp keeps them; q8_0 needs rows of whole 32-weight blocks, else f16.</summary>
    private static GgufTensorType StorageType(long[] shape, GgufTensorType requested) => requested switch
    {
        _ when shape.Length == 1 => GgufTensorType.F32,
        GgufTensorType.Q8_0 when shape[^1] % GgufTensorTypes.Q8BlockSize != 0 => GgufTensorType.F16,
        _ => requested,
    };

    private static string? TensorName(string hfName)
    {
        switch (hfName)
        {
            case "model.embed_tokens.weight":
                return "token_embd.weight";
            case "model.norm.weight":
                return "output_norm.weight";
            case "lm_head.weight" or TransformerRewardModel.ScoreHeadName:
                return "output.weight";
        }

        const string layerPrefix = "model.layers.";
        if (!hfName.StartsWith(layerPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dot = hfName.IndexOf('.', layerPrefix.Length);
        var layer = int.Parse(hfName[layerPrefix.Length..dot], CultureInfo.InvariantCulture);
        var part = hfName[(dot + 1)..];
        var suffix = part.EndsWith(".bias", StringComparison.Ordinal) ? "bias" : "weight";
        var stem = part[..part.LastIndexOf('.')] switch
        {
            "input_layernorm" => "attn_norm",
            "self_attn.q_proj" => "attn_q",
            "self_attn.k_proj" => "attn_k",
            "self_attn.v_proj" => "attn_v",
            "self_attn.o_proj" => "attn_output",
            "post_attention_layernorm" => "ffn_norm",
            "mlp.gate_proj" => "ffn_gate",
            "mlp.up_proj" => "ffn_up",
            "mlp.down_proj" => "ffn_down",
            _ => null,
        };
        return stem is null ? null : $"blk.{layer}.{stem}.{suffix}";
    }
}
