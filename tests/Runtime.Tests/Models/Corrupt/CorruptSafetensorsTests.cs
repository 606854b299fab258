using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Tests.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Corrupt;

/// <summary>
/// The corrupt-model suite for safetensors files and their shard index: header fields of the wrong type, offsets
/// out of range, overlapping or negative, shapes that overflow. Each must be one <see cref="ModelException"/> line
/// naming the file and the tensor or field, never an InvalidOperationException from the JSON reader.
/// </summary>
public sealed class CorruptSafetensorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-corrupt-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A header (16 data bytes follow it), and what the message must name.</summary>
    public static TheoryData<string, string[]> CorruptHeaders => new()
    {
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": ["0", "16"]}}""", ["tensor 'w'", "data_offsets", "\"0\""] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, "16"]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": "0-16"}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16, 32]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [-16, 0]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [16, 0]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0.5, 16.5]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 1e400]}}""", ["tensor 'w'", "data_offsets"] },
        { """{"w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}}""", ["tensor 'w'", "truncated"] },
        { """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [3], "data_offsets": [4, 16]}}""", ["tensor 'b'", "overlaps", "tensor 'a'"] },
        { """{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", ["tensor 'b'", "overlaps", "tensor 'a'"] },
        { """{"w": {"dtype": "F32", "shape": 4, "data_offsets": [0, 16]}}""", ["tensor 'w'", "shape"] },
        { """{"w": {"dtype": "F32", "shape": ["4"], "data_offsets": [0, 16]}}""", ["tensor 'w'", "shape"] },
        { """{"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}""", ["tensor 'w'", "shape"] },
        { """{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}}""", ["tensor 'w'", "shape"] },
        { """{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}}""", ["tensor 'w'", "shape"] },
        { """{"w": {"dtype": 32, "shape": [4], "data_offsets": [0, 16]}}""", ["tensor 'w'", "dtype"] },
        { """{"w": {"dtype": null, "shape": [4], "data_offsets": [0, 16]}}""", ["tensor 'w'", "dtype"] },
        { """{"w": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}}""", ["tensor 'w'", "unsupported dtype I64"] },
        { """{"w": {"shape": [4], "data_offsets": [0, 16]}}""", ["tensor 'w'", "dtype"] },
        { """{"w": "F32"}""", ["tensor 'w'", "object"] },
        { """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", ["tensor 'w'", "twice"] },
        { """{"\ud800": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", ["tensor name", "surrogate"] },
        { """{"__metadata__": {"format": 5}, "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", ["__metadata__", "format"] },
        { """{"__metadata__": [], "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}""", ["__metadata__"] },
        { "[1, 2]", ["JSON object"] },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void A_corrupt_header_is_one_line_naming_the_file_and_the_field(string header, string[] named)
    {
        var path = Path.Combine(_folder, "model.safetensors");
        WriteRaw(path, header, new byte[16]);

        var error = Assert.Throws<ModelException>(() => SafetensorsFile.Open(path));

        AssertOneLine(error, path, named);
    }

    /// <summary>The header's JSON is located one-based within the header (System.Text.Json counts from zero).</summary>
    [Fact]
    public void A_header_syntax_error_is_located_one_based()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        WriteRaw(path, "{\"w\": {\"dtype\": \"F32\",, \"shape\": [4]}}", new byte[16]);

        var error = Assert.Throws<ModelException>(() => SafetensorsFile.Open(path));

        // The second comma is the 23rd byte of the header's first line.
        AssertOneLine(error, path, ["the safetensors header is not valid JSON at line 1, position 23: "]);
    }

    /// <summary>The header the corruptions start from opens (so each failure above is the corruption's).</summary>
    [Fact]
    public void The_uncorrupted_header_opens()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        WriteRaw(path, """{"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F16", "shape": [2, 2], "data_offsets": [8, 16]}}""", new byte[16]);

        var file = SafetensorsFile.Open(path);

        Assert.Equal(["a", "b"], file.Names.Order());
    }

    public static TheoryData<float, SafetensorsDType> NonFiniteWeights => new()
    {
        { float.NaN, SafetensorsDType.F32 },
        { float.PositiveInfinity, SafetensorsDType.F32 },
        { float.NegativeInfinity, SafetensorsDType.F16 },
        { float.NaN, SafetensorsDType.BF16 },
    };

    /// <summary>
    /// A weight that is NaN or infinite makes every logit NaN, and decoding then ends every text at once (exit 0, empty
    /// outputs); it is caught when the tensor is read, naming the tensor and the first bad element.
    /// </summary>
    [Theory]
    [MemberData(nameof(NonFiniteWeights))]
    public void A_non_finite_weight_is_named_at_load_time(float value, SafetensorsDType dtype)
    {
        const string poisoned = "model.layers.1.self_attn.k_proj.weight";
        var path = Path.Combine(_folder, Checkpoint.SingleFileName);
        using (var model = TinyTransformers.Create(seed: 5))
        {
            model.Save(_folder, dtype);
            using var scope = torch.NewDisposeScope();
            SafetensorsWriter.Write(path, model.NamedWeights().Select(w => w.Key == poisoned ? new(w.Key, WithElement(w.Value, value, 3, 7)) : w), dtype);
        }

        var error = Assert.Throws<ModelException>(() => TransformerModel.Load(_folder, new TransformerOptions { Device = DevicePreference.Cpu }));

        AssertOneLine(error, path, [$"tensor '{poisoned}'", "1 NaN or infinite value", "[3, 7]"]);
    }

    public static TheoryData<string, string> CorruptIndexes => new()
    {
        { "{\"weight_map\": {\"w\": 7}}", "weight_map[\"w\"]" },
        { "{\"weight_map\": []}", "weight_map" },
        { "{\"weight_map\": {\"w\": \"../model.safetensors\"}}", "weight_map[\"w\"]" },
        { "{\"weight_map\": {\"w\": \"\\udc00.safetensors\"}}", "weight_map.w" },
        { "{\"weight_map\": {\"w\": \"a.safetensors\"},\n \"metadata\": }", "not valid JSON at line 2, position 14: " },
    };

    [Theory]
    [MemberData(nameof(CorruptIndexes))]
    public void A_corrupt_shard_index_is_one_line_naming_the_file_and_the_field(string index, string named)
    {
        var path = Path.Combine(_folder, Checkpoint.IndexFileName);
        File.WriteAllText(path, index);

        var error = Assert.Throws<ModelException>(() => Checkpoint.Open(_folder));

        AssertOneLine(error, path, [named]);
    }

    private static torch.Tensor WithElement(torch.Tensor tensor, float value, long row, long column)
    {
        var copy = tensor.clone();
        copy[row, column] = torch.tensor(value);
        return copy;
    }

    private static void AssertOneLine(ModelException error, string file, string[] named)
    {
        Assert.StartsWith(file + ": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        foreach (var fragment in named)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
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
