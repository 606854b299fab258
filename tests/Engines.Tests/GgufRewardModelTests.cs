using Tts.Engines.Gguf.Engine;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.TestSupport;
using Xunit.Abstractions;

namespace Tts.Engines.Tests;

/// <summary>
/// The shipped process reward model (models/arith-prm) exported to GGUF f32 (its scalar head as one row of the output
/// matrix) and run by llama.cpp, against the TorchSharp reward model: scores within 1e-4 (f32 weights and KV cache on
/// both engines; measured differences are around 1e-6).
/// </summary>
public sealed class GgufRewardModelTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-gguf-prm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public void The_exported_reward_model_scores_texts_as_the_TorchSharp_one_does()
    {
        var directory = RepoPaths.Combine("models", "arith-prm");
        var path = Path.Combine(_folder, "prm.gguf");
        LlamaGgufExporter.Export(directory, path, GgufTensorType.F32);
        using var torchModel = TransformerRewardModel.Load(directory, new TransformerOptions { Device = DevicePreference.Cpu });
        using var gguf = GgufRewardModel.Load(path, threads: 2);
        string[] texts =
        [
            "Q: 12+7=?\n12+7=19",
            "Q: 12+7=?\n12+7=18",
            "Q: 37+48*2-15=?\n48*2=96",
            "Q: 37+48*2-15=?\n48*2=97",
            "Q: 37+48*2-15=?\n48*2=96\n37+96=133\n133-15=118\nA: 118",
            "Q: 3*4=?\n",
            "",
        ];
        var expected = torchModel.Score(texts);
        var actual = gguf.Score(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"\"{texts[i]}\": TorchSharp {expected[i]:R}, llama.cpp {actual[i]:R}");
        }

        output.WriteLine($"largest score difference: {texts.Select((_, i) => Math.Abs(expected[i] - actual[i])).Max():E2}");

        // The texts are told apart (a head lost in export would score every text alike).
        Assert.True(expected.Max() - expected.Min() > 0.1, string.Join(", ", expected));
        Assert.Equal(texts.Length, gguf.TextsScored);
    }

    [Fact]
    public void A_policy_gguf_is_not_a_reward_model()
    {
        var path = Path.Combine(_folder, "policy.gguf");
        LlamaGgufExporter.Export(RepoPaths.Combine("models", "arith-policy"), path, GgufTensorType.F32);
        var error = Assert.Throws<ModelException>(() => GgufRewardModel.Load(path, threads: 1));
        Assert.Contains($"{path}: not a reward model: no {LlamaGgufExporter.ScoreTokenKey} in the GGUF metadata", error.Message, StringComparison.Ordinal);
    }
}
