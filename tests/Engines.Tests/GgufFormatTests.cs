using System.Buffers.Binary;
using TorchSharp;
using Tts.Engines.Gguf.Engine;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;

namespace Tts.Engines.Tests;

/// <summary>The GGUF writer and reader on their own, and the clear errors for files llama.cpp must never see.</summary>
public sealed class GgufFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-gguf-format-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void What_the_writer_writes_the_reader_reads_back_aligned()
    {
        var path = Path.Combine(_folder, "a.gguf");
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddUInt32("llama.block_count", 3);
        writer.AddFloat32("x.eps", 0.5f);
        writer.AddBool("x.flag", true);
        writer.AddStrings("x.tokens", ["a", "Ġb"]);
        writer.AddInt32s("x.types", [1, 3]);
        float[] values = [.. Enumerable.Range(0, 64).Select(i => i / 8f)];
        writer.AddTensor("w", [2, 32], GgufTensorType.F32, () => GgufEncoding.Encode(values, GgufTensorType.F32));
        writer.AddTensor("q", [2, 32], GgufTensorType.Q8_0, () => GgufEncoding.Encode(values, GgufTensorType.Q8_0));
        writer.Write(path);

        var file = GgufFile.Read(path);
        Assert.Equal("llama", file.String("general.architecture"));
        Assert.Equal(3, file.Integer("llama.block_count"));
        Assert.Equal(0.5, (double)file.Metadata["x.eps"]);
        Assert.True(file.Bool("x.flag"));
        Assert.Equal(["a", "Ġb"], file.Array("x.tokens")!.Cast<string>());
        Assert.Equal([1L, 3L], file.Array("x.types")!.Cast<long>());
        Assert.Equal([32L, 2L], file.Tensors[0].Dimensions); // innermost first
        Assert.Equal(0, file.DataStart % GgufWriter.DefaultAlignment);
        Assert.All(file.Tensors, t => Assert.Equal(0, t.Offset % GgufWriter.DefaultAlignment));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(values[63], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(file.DataStart + file.Tensors[0].Offset) + 63 * 4)));
    }

    [Fact]
    public void Q8_0_blocks_decode_to_within_half_a_step_of_each_weight()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 96).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var bytes = GgufEncoding.Encode(values, GgufTensorType.Q8_0);
        Assert.Equal(3 * 34, bytes.Length);
        for (var b = 0; b < 3; b++)
        {
            var scale = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(b * 34));
            for (var i = 0; i < 32; i++)
            {
                var decoded = scale * (sbyte)bytes[b * 34 + 2 + i];
                Assert.True(Math.Abs(decoded - values[b * 32 + i]) <= scale * 0.5 + 1e-3, $"block {b} weight {i}: {decoded} vs {values[b * 32 + i]}");
            }
        }
    }

    [Fact]
    public void The_rotary_permutation_interleaves_each_heads_halves()
    {
        // One head of width 4 over 1 input: rows [x0, x1, x2, x3] (halves [x0 x1 | x2 x3]) become [x0, x2, x1, x3].
        using var weight = torch.tensor(new float[] { 0, 1, 2, 3, 10, 11, 12, 13 }, [8, 1]);
        using var permuted = LlamaGgufExporter.ToInterleavedRotary(weight, heads: 2);
        Assert.Equal([0f, 2, 1, 3, 10, 12, 11, 13], permuted.data<float>().ToArray());
    }

    [Fact]
    public void A_file_that_is_not_GGUF_is_a_one_line_error()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        File.WriteAllText(path, "{\"not\": \"gguf\"}");
        var error = Assert.Throws<ModelException>(() => GgufModel.Load(path));
        Assert.Equal($"{path}: not a GGUF file (it does not start with the bytes \"GGUF\")", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_a_one_line_error_before_llama_cpp_sees_it()
    {
        var path = Path.Combine(_folder, "whole.gguf");
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "llama");
        writer.AddTensor("w", [64], GgufTensorType.F32, () => new byte[256]);
        writer.Write(path);
        var bytes = File.ReadAllBytes(path);
        foreach (var keep in new[] { bytes.Length - 10, 30 })
        {
            var cut = Path.Combine(_folder, $"cut{keep}.gguf");
            File.WriteAllBytes(cut, bytes[..keep]);
            var error = Assert.Throws<ModelException>(() => GgufModel.Load(cut));
            Assert.StartsWith($"{cut}: truncated GGUF file ({keep} bytes;", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unsupported_architecture_is_named_with_the_supported_ones()
    {
        var path = Path.Combine(_folder, "bert.gguf");
        var writer = new GgufWriter();
        writer.AddString("general.architecture", "bert");
        writer.Write(path);
        var error = Assert.Throws<ModelException>(() => GgufModel.Load(path));
        Assert.Equal($"{path}: architecture 'bert' is not supported by the gguf engine (supported: llama, mistral, qwen2, qwen3)", error.Message);
    }
}
