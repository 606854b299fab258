using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tts.Runtime.Models.Transformer;

/// <summary>How rotary frequencies are rescaled for long contexts (Hugging Face <c>rope_scaling</c>).</summary>
/// <param name="Type">"linear" or "llama3".</param>
public sealed record RopeScaling(
    string Type, double Factor, double LowFrequencyFactor = 1, double HighFrequencyFactor = 4, int OriginalMaxPositions = 8192);

/// <summary>
/// The shape of a Llama-family decoder, read from (and written as) a Hugging Face <c>config.json</c>. Llama, Mistral
/// and Qwen2 checkpoints share this shape; Qwen2's attention biases are detected from the checkpoint's tensors.
/// </summary>
public sealed record TransformerConfig
{
    private static readonly string[] SupportedModelTypes = ["llama", "qwen2", "mistral"];

    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KeyValueHeadCount { get; init; }

    /// <summary>Per-head width: <c>head_dim</c> when given, else hidden_size / num_attention_heads.</summary>
    public required int HeadDim { get; init; }

    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000;
    public RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public int? BosTokenId { get; init; }

    /// <summary>The first of <c>eos_token_id</c> when it is a list (instruct checkpoints list several).</summary>
    public int? EosTokenId { get; init; }

    public string ModelType { get; init; } = "llama";

    public static TransformerConfig Load(string path) => Parse(ModelFiles.ReadText(path, "the model configuration"), path);

    public static TransformerConfig Parse(string json, string sourceName)
    {
        var root = ModelFiles.ParseObject(json, sourceName);
        var reader = new ConfigReader(root, sourceName);
        var modelType = reader.OptionalString("model_type") ?? "llama";
        if (!SupportedModelTypes.Contains(modelType))
        {
            throw new ModelException(
                $"{sourceName}: model_type '{modelType}' is not a Llama-family decoder (supported: {string.Join(", ", SupportedModelTypes)})");
        }

        var hidden = reader.PositiveInt("hidden_size");
        var heads = reader.PositiveInt("num_attention_heads");
        var kvHeads = reader.OptionalPositiveInt("num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
        {
            throw new ModelException($"{sourceName}: num_attention_heads ({heads}) must be a multiple of num_key_value_heads ({kvHeads})");
        }

        var headDim = reader.OptionalPositiveInt("head_dim") ?? (hidden % heads == 0
            ? hidden / heads
            : throw new ModelException($"{sourceName}: hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads}) and no head_dim is given"));
        if (headDim % 2 != 0)
        {
            throw new ModelException($"{sourceName}: the head width ({headDim}) must be even for rotary embeddings");
        }

        return new TransformerConfig
        {
            ModelType = modelType,
            VocabSize = reader.PositiveInt("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = reader.PositiveInt("intermediate_size"),
            LayerCount = reader.PositiveInt("num_hidden_layers"),
            HeadCount = heads,
            KeyValueHeadCount = kvHeads,
            HeadDim = headDim,
            RmsNormEps = reader.OptionalPositiveDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = reader.OptionalPositiveDouble("rope_theta") ?? 10000,
            RopeScaling = ReadRopeScaling(root["rope_scaling"], sourceName),
            TieWordEmbeddings = reader.OptionalBool("tie_word_embeddings") ?? false,
            MaxPositionEmbeddings = reader.OptionalPositiveInt("max_position_embeddings") ?? 2048,
            BosTokenId = reader.OptionalTokenId("bos_token_id"),
            EosTokenId = reader.OptionalTokenId("eos_token_id"),
        };
    }

    /// <summary>The <c>config.json</c> Hugging Face would write for this shape (used to ship trained models and in tests).</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = LayerCount,
            ["num_attention_heads"] = HeadCount,
            ["num_key_value_heads"] = KeyValueHeadCount,
            ["head_dim"] = HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["torch_dtype"] = "float32",
        };
        if (BosTokenId is { } bos)
        {
            root["bos_token_id"] = bos;
        }

        if (EosTokenId is { } eos)
        {
            root["eos_token_id"] = eos;
        }

        if (RopeScaling is { } scaling)
        {
            root["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = scaling.Type,
                ["factor"] = scaling.Factor,
                ["low_freq_factor"] = scaling.LowFrequencyFactor,
                ["high_freq_factor"] = scaling.HighFrequencyFactor,
                ["original_max_position_embeddings"] = scaling.OriginalMaxPositions,
            };
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Rotary inverse frequencies θ^(−2i/d) for i &lt; d/2, rescaled as <see cref="RopeScaling"/> says: "linear" divides
    /// every frequency by the factor (positions / factor); "llama3" keeps high frequencies, divides low ones by the
    /// factor and interpolates smoothly between (as Hugging Face's <c>_compute_llama3_parameters</c>).
    /// </summary>
    public double[] InverseFrequencies()
    {
        var frequencies = new double[HeadDim / 2];
        for (var i = 0; i < frequencies.Length; i++)
        {
            frequencies[i] = 1.0 / Math.Pow(RopeTheta, 2.0 * i / HeadDim);
        }

        switch (RopeScaling)
        {
            case null:
                return frequencies;
            case { Type: "linear" } linear:
                return Array.ConvertAll(frequencies, f => f / linear.Factor);
            case { Type: "llama3" } llama3:
                var lowFrequencyWavelength = llama3.OriginalMaxPositions / llama3.LowFrequencyFactor;
                var highFrequencyWavelength = llama3.OriginalMaxPositions / llama3.HighFrequencyFactor;
                return Array.ConvertAll(frequencies, f =>
                {
                    var wavelength = 2 * Math.PI / f;
                    if (wavelength < highFrequencyWavelength)
                    {
                        return f;
                    }

                    if (wavelength > lowFrequencyWavelength)
                    {
                        return f / llama3.Factor;
                    }

                    var smooth = (llama3.OriginalMaxPositions / wavelength - llama3.LowFrequencyFactor)
                                 / (llama3.HighFrequencyFactor - llama3.LowFrequencyFactor);
                    return (1 - smooth) * f / llama3.Factor + smooth * f;
                });
            default:
                throw new ModelException($"rope_scaling type '{RopeScaling.Type}' is not supported (supported: linear, llama3)");
        }
    }

    private static RopeScaling? ReadRopeScaling(JsonNode? node, string sourceName)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject scaling)
        {
            throw new ModelException($"{sourceName}: rope_scaling must be an object or null");
        }

        var reader = new ConfigReader(scaling, sourceName, "rope_scaling.");
        var type = reader.OptionalString("rope_type") ?? reader.OptionalString("type")
                   ?? throw new ModelException($"{sourceName}: rope_scaling needs a \"rope_type\"");
        var factor = reader.OptionalPositiveDouble("factor") ?? throw new ModelException($"{sourceName}: rope_scaling needs a positive \"factor\"");
        return type switch
        {
            "linear" => new RopeScaling(type, factor),
            "llama3" => new RopeScaling(
                type,
                factor,
                reader.OptionalPositiveDouble("low_freq_factor") ?? 1,
                reader.OptionalPositiveDouble("high_freq_factor") ?? 4,
                reader.OptionalPositiveInt("original_max_position_embeddings") ?? 8192),
            "default" => null,
            _ => throw new ModelException($"{sourceName}: rope_scaling type '{type}' is not supported (supported: linear, llama3)"),
        };
    }

    /// <summary>Typed reads of config.json values, each failure one line naming the file and the key.</summary>
    private sealed class ConfigReader(JsonObject root, string sourceName, string prefix = "")
    {
        public int PositiveInt(string key) =>
            OptionalPositiveInt(key) ?? throw new ModelException($"{sourceName}: missing \"{prefix}{key}\"");

        public int? OptionalPositiveInt(string key) =>
            Number(key) switch
            {
                null => null,
                var v when v > 0 && v <= int.MaxValue && v == Math.Floor(v.Value) => (int)v,
                var v => throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be a positive integer, got {v}"),
            };

        public double? OptionalPositiveDouble(string key) =>
            Number(key) switch
            {
                null => null,
                > 0 and var v => v,
                var v => throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be positive, got {v}"),
            };

        public int? OptionalTokenId(string key)
        {
            var node = root[key];
            if (node is JsonArray list)
            {
                node = list.Count > 0 ? list[0] : null;
            }

            return node is null
                ? null
                : node.GetValueKind() == JsonValueKind.Number && node.GetValue<double>() is var v && v >= 0 && v == Math.Floor(v) && v <= int.MaxValue
                    ? (int)v
                    : throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be a token id or a list of them");
        }

        public bool? OptionalBool(string key) =>
            root[key] switch
            {
                null => null,
                var node when node.GetValueKind() is JsonValueKind.True or JsonValueKind.False => node.GetValue<bool>(),
                _ => throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be true or false"),
            };

        public string? OptionalString(string key) =>
            root[key] switch
            {
                null => null,
                var node when node.GetValueKind() == JsonValueKind.String => node.GetValue<string>(),
                _ => throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be a string"),
            };

        private double? Number(string key) =>
            root[key] switch
            {
                null => null,
                // An overflowing literal (1e999) reads as infinity; an infinite rms_norm_eps or rope_theta gives NaN outputs.
                var node when node.GetValueKind() == JsonValueKind.Number && double.IsFinite(node.GetValue<double>()) => node.GetValue<double>(),
                _ => throw new ModelException($"{sourceName}: \"{prefix}{key}\" must be a finite number"),
            };
    }
}
