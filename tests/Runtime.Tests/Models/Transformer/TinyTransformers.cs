using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>Tiny seeded Llama-style models (a few thousand parameters) over a character-level vocabulary.</summary>
internal static class TinyTransformers
{
    /// <summary>Id 0 is EOS; the characters include non-ASCII ones so that text round trips cover them.</summary>
    public static readonly string TokenizerJson = HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], "abcdefgh \nxyzé€ü");

    public const int VocabSize = 18; // 1 special + 16 characters + 1 padding id with no token

    /// <summary>Grouped-query attention (4 query heads over 2 key/value heads), untied head.</summary>
    public static TransformerConfig Config(bool tied = false, RopeScaling? ropeScaling = null, int maxPositions = 128) => new()
    {
        VocabSize = VocabSize,
        HiddenSize = 32,
        IntermediateSize = 48,
        LayerCount = 2,
        HeadCount = 4,
        KeyValueHeadCount = 2,
        HeadDim = 8,
        RmsNormEps = 1e-5,
        RopeTheta = 10000,
        RopeScaling = ropeScaling,
        TieWordEmbeddings = tied,
        MaxPositionEmbeddings = maxPositions,
        EosTokenId = 0,
    };

    public static TransformerModel Create(long seed = 1, TransformerConfig? config = null, bool attentionBiases = false, TransformerOptions? options = null) =>
        TransformerModel.CreateRandom(config ?? Config(), TokenizerJson, seed, options ?? new TransformerOptions { Device = DevicePreference.Cpu }, attentionBiases);

    /// <summary>
    /// The model variants every decode test runs on: plain, tied + Qwen2 biases, llama3 and linear rope scaling, and
    /// the first two again decoding with libtorch ops (the step GPUs take) instead of the C# step CPUs take.
    /// </summary>
    public static TheoryData<string> Variants() =>
        new() { "plain", "tied-biases", "llama3-rope", "linear-rope", "plain" + TensorStep, "tied-biases" + TensorStep };

    private const string TensorStep = ", tensor step";

    public static TransformerModel Variant(string name)
    {
        if (!name.EndsWith(TensorStep, StringComparison.Ordinal))
        {
            return CpuStepVariant(name);
        }

        var model = CpuStepVariant(name[..^TensorStep.Length]);
        model.Network.TensorStepOnly = true;
        return model;
    }

    private static TransformerModel CpuStepVariant(string name) => name switch
    {
        "plain" => Create(seed: 11),
        "tied-biases" => Create(seed: 12, Config(tied: true), attentionBiases: true),
        "llama3-rope" => Create(seed: 13, Config(ropeScaling: new RopeScaling("llama3", 8, 1, 4, 16))),
        "linear-rope" => Create(seed: 14, Config(ropeScaling: new RopeScaling("linear", 2))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
