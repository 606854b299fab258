using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>Saving and loading model directories: every tensor round trips, and every broken file says what is wrong.</summary>
public sealed class CheckpointTests : IDisposable
{
    private static readonly TransformerOptions Cpu = new() { Device = DevicePreference.Cpu };
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Saved(SafetensorsDType dtype = SafetensorsDType.F32, int shards = 1, bool attentionBiases = false)
    {
        using var model = TinyTransformers.Create(seed: 21, attentionBiases: attentionBiases);
        model.Save(_folder, dtype, shards);
        return _folder;
    }

    public static TheoryData<SafetensorsDType, int> DTypesAndShards() => new()
    {
        { SafetensorsDType.F32, 1 }, { SafetensorsDType.F16, 1 }, { SafetensorsDType.BF16, 1 }, { SafetensorsDType.BF16, 3 }, { SafetensorsDType.F32, 4 },
    };

    [Theory]
    [MemberData(nameof(DTypesAndShards))]
    public void Every_tensor_round_trips_through_safetensors(SafetensorsDType dtype, int shards)
    {
        using var original = TinyTransformers.Create(seed: 22, TinyTransformers.Config(), attentionBiases: true);
        original.Save(_folder, dtype, shards);
        Assert.Equal(shards > 1, File.Exists(Path.Combine(_folder, Checkpoint.IndexFileName)));

        using var loaded = TransformerModel.Load(_folder, Cpu);
        using var scope = torch.NewDisposeScope();
        var expected = original.NamedWeights();
        var actual = loaded.NamedWeights().ToDictionary(w => w.Key, w => w.Value);
        Assert.Equal(expected.Select(w => w.Key).Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            // What the file holds is the weight rounded to its dtype; reading converts it back to float32 exactly.
            var rounded = tensor.to(dtype == SafetensorsDType.F32 ? ScalarType.Float32 : dtype == SafetensorsDType.F16 ? ScalarType.Float16 : ScalarType.BFloat16).to(ScalarType.Float32);
            Assert.True(rounded.equal(actual[name]).all().item<bool>(), $"{name} differs after a {dtype} round trip");
        }

        Assert.Equal(original.Config, loaded.Config);
        Assert.Equal(original.Vocabulary.Tokens, loaded.Vocabulary.Tokens);
        Assert.True(loaded.Network.Weights.HasAttentionBiases);
    }

    [Fact]
    public void A_loaded_float32_model_decodes_exactly_as_the_one_saved()
    {
        using var original = TinyTransformers.Create(seed: 23, TinyTransformers.Config(tied: true));
        original.Save(_folder, SafetensorsDType.F32);
        Assert.False(SafetensorsFile.Open(Path.Combine(_folder, Checkpoint.SingleFileName)).Contains("lm_head.weight")); // tied: not stored
        using var loaded = TransformerModel.Load(_folder, Cpu);
        using var a = original.Start([original.Encode("abc")], [0, 0]);
        using var b = loaded.Start([loaded.Encode("abc")], [0, 0]);
        using var expected = a.NextLogProbs();
        using var actual = b.NextLogProbs();
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    /// <summary>
    /// Two weights with equal values (here zeros, as in a pruned checkpoint) once broke loading: the loader dropped its
    /// fused-away parts with List.Remove, whose Tensor.Equals compares values, so it dropped the wrong tensor and later
    /// compared against a disposed one.
    /// </summary>
    [Fact]
    public void A_checkpoint_with_equal_weights_in_different_places_loads()
    {
        using (var model = TinyTransformers.Create(seed: 24, TinyTransformers.Config() with { LayerCount = 3 }))
        {
            model.Save(_folder, SafetensorsDType.F32);
            using var scope = torch.NewDisposeScope();
            string[] zeroed = ["model.layers.0.self_attn.o_proj.weight", "model.layers.1.self_attn.q_proj.weight"];
            SafetensorsWriter.Write(Path.Combine(_folder, Checkpoint.SingleFileName),
                model.NamedWeights().Select(w => zeroed.Contains(w.Key) ? new(w.Key, torch.zeros_like(w.Value)) : w), SafetensorsDType.F32);
        }

        using var loaded = TransformerModel.Load(_folder, Cpu);

        using var scope2 = torch.NewDisposeScope();
        var weights = loaded.NamedWeights().ToDictionary(w => w.Key, w => w.Value);
        Assert.Equal(0, weights["model.layers.1.self_attn.q_proj.weight"].abs().sum().item<float>());
        Assert.NotEqual(0, weights["model.layers.2.self_attn.q_proj.weight"].abs().sum().item<float>());
    }

    [Fact]
    public void A_missing_tensor_is_named_with_its_file()
    {
        var directory = Saved();
        var path = Path.Combine(directory, Checkpoint.SingleFileName);
        using (var scope = torch.NewDisposeScope())
        {
            using var model = TransformerModel.Load(directory, Cpu);
            SafetensorsWriter.Write(path, model.NamedWeights().Where(w => w.Key != "model.layers.1.mlp.down_proj.weight"), SafetensorsDType.F32);
        }

        var error = Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu));
        Assert.Equal($"{path}: missing tensor 'model.layers.1.mlp.down_proj.weight'", error.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_names_both_shapes_and_the_config()
    {
        var directory = Saved();
        var configPath = Path.Combine(directory, TransformerModel.ConfigFileName);
        File.WriteAllText(configPath, (TinyTransformers.Config() with { IntermediateSize = 40 }).ToJson());
        var error = Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu));
        Assert.Equal(
            $"{Path.Combine(directory, Checkpoint.SingleFileName)}: tensor 'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], expected [40, 32] (from {configPath})",
            error.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_as_truncated()
    {
        var path = Path.Combine(Saved(), Checkpoint.SingleFileName);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);
        var error = Assert.Throws<ModelException>(() => SafetensorsFile.Open(path));
        Assert.StartsWith($"{path}: truncated safetensors file: tensor '", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("truncated safetensors file", Assert.Throws<ModelException>(() => SafetensorsFile.Open(path)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..40]);
        Assert.Contains("bad safetensors header length", Assert.Throws<ModelException>(() => SafetensorsFile.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_is_not_json_is_reported()
    {
        var path = Path.Combine(_folder, "bad.safetensors");
        WriteRaw(path, "{\"w\": {\"dtype\": \"F32\", ", []);
        var error = Assert.Throws<ModelException>(() => SafetensorsFile.Open(path));
        Assert.StartsWith($"{path}: the safetensors header is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I8")]
    [InlineData("F64")]
    public void An_unsupported_dtype_names_the_tensor_and_the_dtype(string dtype)
    {
        var path = Path.Combine(_folder, "odd.safetensors");
        WriteRaw(path, "{\"model.norm.weight\": {\"dtype\": \"" + dtype + "\", \"shape\": [2], \"data_offsets\": [0, 2]}}", new byte[2]);
        var error = Assert.Throws<ModelException>(() => SafetensorsFile.Open(path));
        Assert.Equal($"{path}: tensor 'model.norm.weight': unsupported dtype {dtype} (supported: F32, F16, BF16)", error.Message);
    }

    [Fact]
    public void Data_offsets_that_do_not_match_the_shape_are_reported()
    {
        var path = Path.Combine(_folder, "odd.safetensors");
        WriteRaw(path, """{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", new byte[8]);
        Assert.Contains("8 data bytes do not hold a F32 tensor of shape [3]", Assert.Throws<ModelException>(() => SafetensorsFile.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_of_a_model_directory_are_named()
    {
        var directory = Saved(shards: 2);
        File.Delete(Path.Combine(directory, "model-00002-of-00002.safetensors"));
        Assert.Contains("shard file not found", Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu)).Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(directory, TransformerModel.TokenizerFileName));
        Assert.Equal($"{directory}: no tokenizer.json in the model directory", Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu)).Message);

        File.Delete(Path.Combine(directory, TransformerModel.ConfigFileName));
        Assert.Equal($"{directory}: no config.json in the model directory", Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu)).Message);

        var nowhere = Path.Combine(directory, "nowhere");
        Assert.Equal($"{nowhere}: model directory not found", Assert.Throws<ModelException>(() => TransformerModel.Load(nowhere, Cpu)).Message);
    }

    [Fact]
    public void A_bad_config_names_the_key()
    {
        var directory = Saved();
        var configPath = Path.Combine(directory, TransformerModel.ConfigFileName);
        File.WriteAllText(configPath, TinyTransformers.Config().ToJson().Replace("\"num_hidden_layers\"", "\"layers\"", StringComparison.Ordinal));
        Assert.Equal($"{configPath}: missing \"num_hidden_layers\"", Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu)).Message);

        File.WriteAllText(configPath, TinyTransformers.Config().ToJson().Replace("\"llama\"", "\"gpt2\"", StringComparison.Ordinal));
        Assert.Contains("model_type 'gpt2' is not a Llama-family decoder", Assert.Throws<ModelException>(() => TransformerModel.Load(directory, Cpu)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_json_round_trips_including_rope_scaling()
    {
        var config = TinyTransformers.Config(tied: true, new RopeScaling("llama3", 8, 1, 4, 8192)) with { BosTokenId = 3 };
        Assert.Equal(config, TransformerConfig.Parse(config.ToJson(), "config.json"));
    }

    private static void WriteRaw(string path, string header, byte[] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + headerBytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
