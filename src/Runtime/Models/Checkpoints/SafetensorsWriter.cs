using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Tts.Runtime.Models.Checkpoints;

/// <summary>Writes tensors to a safetensors file, converting each to one element type.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="shardCount"/> files <c>model-0000i-of-0000n.safetensors</c> (tensors split in order)
    /// and the <c>model.safetensors.index.json</c> that maps each tensor to its shard, as Hugging Face does.
    /// </summary>
    public static void WriteSharded(string directory, IReadOnlyList<KeyValuePair<string, torch.Tensor>> tensors, SafetensorsDType dtype, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var weightMap = new System.Text.Json.Nodes.JsonObject();
        long totalSize = 0;
        var perShard = (tensors.Count + shardCount - 1) / shardCount;
        for (var shard = 0; shard < shardCount; shard++)
        {
            var name = $"model-{shard + 1:00000}-of-{shardCount:00000}.safetensors";
            var part = tensors.Skip(shard * perShard).Take(perShard).ToList();
            Write(Path.Combine(directory, name), part, dtype);
            foreach (var (tensorName, tensor) in part)
            {
                weightMap[tensorName] = name;
                totalSize += tensor.numel() * dtype.ElementSize();
            }
        }

        var index = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["total_size"] = totalSize },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(directory, Checkpoint.IndexFileName), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, SafetensorsDType dtype)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);

        var blobs = new List<(string Name, long[] Shape, byte[] Data)>();
        foreach (var (name, tensor) in tensors)
        {
            using var scope = torch.NewDisposeScope();
            var converted = tensor.detach().to(dtype.ScalarType(), torch.CPU).contiguous();
            blobs.Add((name, converted.shape, converted.numel() == 0 ? [] : converted.bytes.ToArray()));
        }

        using var headerBuffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerBuffer))
        {
            json.WriteStartObject();
            long offset = 0;
            foreach (var (name, shape, data) in blobs)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.Name());
                json.WriteStartArray("shape");
                foreach (var size in shape)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += data.Length;
            }

            json.WriteEndObject();
        }

        // Pad the header with spaces to a multiple of 8 bytes, as the reference implementation does, so data stays aligned.
        var header = headerBuffer.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        file.Write(length);
        file.Write(header);
        file.Write(Encoding.ASCII.GetBytes(new string(' ', padded - header.Length)));
        foreach (var blob in blobs)
        {
            file.Write(blob.Data);
        }
    }
}
