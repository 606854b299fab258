using Tts.Engines.Gguf.Engine;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.TestSupport;

namespace Tts.Engines.Tests;

/// <summary>
/// The two models of the differential tests, each on both engines: the shipped policy (models/arith-policy) and a
/// random 3-layer Llama with grouped-query attention (4 query heads, 2 key/value heads), an untied output head and
/// multi-byte characters in its vocabulary, both exported to GGUF f32 in a temporary folder.
/// </summary>
public sealed class ExportedModels : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tts-gguf-" + Guid.NewGuid().ToString("N"));

    public ExportedModels()
    {
        Directory.CreateDirectory(_folder);
        var shipped = RepoPaths.Combine("models", "arith-policy");
        PolicyPath = Path.Combine(_folder, "policy.gguf");
        Policy = Pair(shipped, PolicyPath);

        var randomDirectory = Path.Combine(_folder, "random");
        var config = new TransformerConfig
        {
            VocabSize = 24, HiddenSize = 64, IntermediateSize = 96, LayerCount = 3, HeadCount = 4, KeyValueHeadCount = 2, HeadDim = 16,
            TieWordEmbeddings = false, MaxPositionEmbeddings = 48, EosTokenId = 0, RmsNormEps = 1e-5, RopeTheta = 500,
        };
        using (var random = TransformerModel.CreateRandom(config, HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], "abcdefgh \nxyzé€ü"), seed: 11,
                   new TransformerOptions { Device = DevicePreference.Cpu }))
        {
            random.Save(randomDirectory, Tts.Runtime.Models.Checkpoints.SafetensorsDType.F32);
        }

        Random = Pair(randomDirectory, Path.Combine(_folder, "random.gguf"));
    }

    public (TransformerModel Torch, GgufModel Gguf) Policy { get; }

    /// <summary>The shipped policy as GGUF f32, for tests that load it with other options.</summary>
    public string PolicyPath { get; }

    public (TransformerModel Torch, GgufModel Gguf) Random { get; }

    public void Dispose()
    {
        Policy.Torch.Dispose();
        Policy.Gguf.Dispose();
        Random.Torch.Dispose();
        Random.Gguf.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static (TransformerModel, GgufModel) Pair(string directory, string ggufPath)
    {
        LlamaGgufExporter.Export(directory, ggufPath, GgufTensorType.F32);
        return (TransformerModel.Load(directory, new TransformerOptions { Device = DevicePreference.Cpu }),
            GgufModel.Load(ggufPath, new GgufOptions { FullPrecisionAttention = true, Threads = 2 }));
    }
}
