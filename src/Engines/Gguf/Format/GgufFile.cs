using System.Text;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Format;

/// <summary>
/// The header of a GGUF file: its metadata and tensor infos, read and checked without loading tensor data. A file
/// that is not GGUF, has a version this reader does not know, or ends before its last tensor's data is a
/// <see cref="ModelException"/> naming the file, so llama.cpp is only ever handed files that are whole.
/// </summary>
public sealed class GgufFile
{
    private const int MaxStringBytes = 1 << 24;

    private GgufFile(string path, uint version, Dictionary<string, object> metadata, List<GgufTensorInfo> tensors, long dataStart)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataStart = dataStart;
    }

    public string Path { get; }

    public uint Version { get; }

    /// <summary>Values as read: strings, bools, integers as long (unsigned 64-bit as ulong), floats as double, arrays as object[].</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Byte offset of the data section (tensor offsets are relative to it).</summary>
    public long DataStart { get; }

    public static GgufFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelException($"{path}: GGUF file not found");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (stream.Length < 4 || reader.ReadUInt32() != GgufWriter.Magic)
            {
                throw new ModelException($"{path}: not a GGUF file (it does not start with the bytes \"GGUF\")");
            }

            var version = reader.ReadUInt32();
            if (version is not (2 or 3))
            {
                throw new ModelException($"{path}: GGUF version {version} is not supported (supported: 2, 3)");
            }

            var tensorCount = reader.ReadUInt64();
            var metadataCount = reader.ReadUInt64();
            // Every entry takes at least 8 bytes, so a count beyond the file's size is corruption, not a big model.
            if (tensorCount > (ulong)stream.Length || metadataCount > (ulong)stream.Length)
            {
                throw new ModelException($"{path}: corrupt GGUF header ({tensorCount} tensors, {metadataCount} metadata entries in {stream.Length} bytes)");
            }

            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            for (ulong i = 0; i < metadataCount; i++)
            {
                var key = ReadString(reader, path);
                metadata[key] = ReadValue(reader, (GgufValueType)reader.ReadUInt32(), path, key, nested: false);
            }

            var tensors = new List<GgufTensorInfo>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                var name = ReadString(reader, path);
                var dimensionCount = reader.ReadUInt32();
                if (dimensionCount is 0 or > 4)
                {
                    throw new ModelException($"{path}: tensor '{name}' has {dimensionCount} dimensions (ggml allows 1 to 4)");
                }

                var dimensions = new long[dimensionCount];
                for (var d = 0; d < dimensions.Length; d++)
                {
                    var size = reader.ReadUInt64();
                    dimensions[d] = size <= int.MaxValue ? (long)size : throw new ModelException($"{path}: tensor '{name}' has a dimension of {size}");
                }

                tensors.Add(new GgufTensorInfo(name, dimensions, reader.ReadUInt32(), checked((long)reader.ReadUInt64())));
            }

            var alignment = metadata.TryGetValue("general.alignment", out var a) && a is long align && align > 0 ? align : GgufWriter.DefaultAlignment;
            var dataStart = (stream.Position + alignment - 1) / alignment * alignment;
            foreach (var tensor in tensors)
            {
                if (GgufTensorTypes.ByteSize(tensor.Type, tensor.Elements) is { } bytes && dataStart + tensor.Offset + bytes > stream.Length)
                {
                    throw Truncated(path, stream.Length, $"tensor '{tensor.Name}' ends at byte {dataStart + tensor.Offset + bytes}");
                }
            }

            return new GgufFile(path, version, metadata, tensors, dataStart);
        }
        catch (EndOfStreamException)
        {
            throw Truncated(path, stream.Length, "the header ends early");
        }
        catch (OverflowException)
        {
            throw new ModelException($"{path}: corrupt GGUF header (an offset or size overflows)");
        }
    }

    public string? String(string key) => Metadata.TryGetValue(key, out var value) ? value as string : null;

    public long? Integer(string key) => Metadata.TryGetValue(key, out var value) ? value switch
    {
        long l => l,
        ulong u when u <= long.MaxValue => (long)u,
        _ => null,
    } : null;

    /// <summary>A metadata string the reader cannot do without: missing is an error naming the file and the key.</summary>
    public string RequiredString(string key) => String(key) ?? throw Missing(key);

    /// <summary>A metadata integer the reader cannot do without: missing is an error naming the file and the key.</summary>
    public long RequiredInteger(string key) => Integer(key) ?? throw Missing(key);

    public bool? Bool(string key) => Metadata.TryGetValue(key, out var value) && value is bool b ? b : null;

    public object[]? Array(string key) => Metadata.TryGetValue(key, out var value) ? value as object[] : null;

    private ModelException Missing(string key) => new($"{Path}: no {key} in the GGUF metadata");

    private static ModelException Truncated(string path, long length, string detail) =>
        new($"{path}: truncated GGUF file ({length} bytes; {detail})");

    private static string ReadString(BinaryReader reader, string path)
    {
        var length = reader.ReadUInt64();
        if (length > MaxStringBytes || (long)length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw reader.BaseStream.Length - reader.BaseStream.Position < (long)Math.Min(length, MaxStringBytes)
                ? new EndOfStreamException()
                : new ModelException($"{path}: corrupt GGUF header (a string of {length} bytes)");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes((int)length));
    }

    private static object ReadValue(BinaryReader reader, GgufValueType type, string path, string key, bool nested) => type switch
    {
        GgufValueType.UInt8 => (long)reader.ReadByte(),
        GgufValueType.Int8 => (long)reader.ReadSByte(),
        GgufValueType.UInt16 => (long)reader.ReadUInt16(),
        GgufValueType.Int16 => (long)reader.ReadInt16(),
        GgufValueType.UInt32 => (long)reader.ReadUInt32(),
        GgufValueType.Int32 => (long)reader.ReadInt32(),
        GgufValueType.UInt64 => reader.ReadUInt64() is var u && u <= long.MaxValue ? (long)u : u,
        GgufValueType.Int64 => reader.ReadInt64(),
        GgufValueType.Float32 => (double)reader.ReadSingle(),
        GgufValueType.Float64 => reader.ReadDouble(),
        GgufValueType.Bool => reader.ReadByte() != 0,
        GgufValueType.String => ReadString(reader, path),
        GgufValueType.Array when !nested => ReadArray(reader, path, key),
        _ => throw new ModelException($"{path}: metadata '{key}' has an unknown value type {(uint)type}"),
    };

    private static object[] ReadArray(BinaryReader reader, string path, string key)
    {
        var elementType = (GgufValueType)reader.ReadUInt32();
        var count = reader.ReadUInt64();
        if (count > (ulong)(reader.BaseStream.Length - reader.BaseStream.Position))
        {
            throw new EndOfStreamException();
        }

        var values = new object[count];
        for (ulong i = 0; i < count; i++)
        {
            values[i] = ReadValue(reader, elementType, path, key, nested: true);
        }

        return values;
    }
}
