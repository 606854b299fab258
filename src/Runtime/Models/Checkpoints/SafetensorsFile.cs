using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;

namespace Tts.Runtime.Models.Checkpoints;

/// <summary>One tensor's entry in a safetensors header: element type, shape and byte range in the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (product, size) => product * size);
}

/// <summary>
/// A safetensors file (8-byte little-endian header length, a JSON header mapping each tensor name to its dtype,
/// shape and data offsets relative to the end of the header, then the data). The header is read and checked
/// when the file is opened; tensor data is read on demand, so a sharded checkpoint loads one tensor at a time.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Headers larger than this are refused as corrupt rather than read into memory.</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly Dictionary<string, SafetensorsEntry> _entries;
    private readonly long _dataStart;

    private SafetensorsFile(string path, long dataStart, Dictionary<string, SafetensorsEntry> entries)
    {
        Path = path;
        _dataStart = dataStart;
        _entries = entries;
    }

    public string Path { get; }

    public IReadOnlyCollection<string> Names => _entries.Keys;

    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = File.OpenRead(path);
            var fileLength = stream.Length;
            Span<byte> lengthBytes = stackalloc byte[8];
            if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            {
                throw new ModelException($"{path}: truncated safetensors file: {fileLength} bytes, fewer than the 8-byte header length");
            }

            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
            {
                throw new ModelException(
                    $"{path}: bad safetensors header length {headerLength} in a file of {fileLength} bytes (truncated or not a safetensors file)");
            }

            var header = new byte[headerLength];
            stream.ReadExactly(header);
            var dataStart = 8 + (long)headerLength;
            return new SafetensorsFile(path, dataStart, ParseHeader(path, header, fileLength - dataStart));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelException($"{path}: cannot read the safetensors file: {exception.Message}", exception);
        }
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    public SafetensorsEntry Entry(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new ModelException($"{Path}: no tensor '{name}' in the file");

    /// <summary>Reads a tensor and converts it to <paramref name="dtype"/> on <paramref name="device"/>; the caller owns it.</summary>
    public torch.Tensor Read(string name, torch.ScalarType dtype, torch.Device device)
    {
        var entry = Entry(name);
        var bytes = new byte[entry.End - entry.Begin];
        try
        {
            using var stream = File.OpenRead(Path);
            stream.Seek(_dataStart + entry.Begin, SeekOrigin.Begin);
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            {
                throw new ModelException($"{Path}: truncated safetensors file: tensor '{name}' ends past the end of the file");
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelException($"{Path}: cannot read tensor '{name}': {exception.Message}", exception);
        }

        using var scope = torch.NewDisposeScope();
        var stored = torch.empty(entry.Shape, entry.DType.ScalarType());
        if (bytes.Length > 0)
        {
            // Safetensors data is little-endian, as is every platform TorchSharp runs on.
            stored.bytes = bytes;
        }

        return stored.to(dtype, device).MoveToOuterDisposeScope();
    }

    private static Dictionary<string, SafetensorsEntry> ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException exception)
        {
            throw new ModelException($"{path}: the safetensors header is not valid JSON: {exception.Message}", exception);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelException($"{path}: the safetensors header must be a JSON object, got {document.RootElement.ValueKind}");
            }

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                entries[property.Name] = ParseEntry(path, property.Name, property.Value, dataLength);
            }

            return entries;
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        ModelException Bad(string why) => new($"{path}: tensor '{name}': {why}");

        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw Bad("the header entry needs \"dtype\" (string), \"shape\" and \"data_offsets\" (arrays)");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
        {
            throw Bad($"unsupported dtype {dtypeName} (supported: F32, F16, BF16)");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var size in shapeElement.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out shape[i]) || shape[i] < 0)
            {
                throw Bad("the shape must be non-negative integers");
            }

            i++;
        }

        var offsets = offsetsElement.EnumerateArray().ToArray();
        if (offsets.Length != 2 || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin)
        {
            throw Bad("data_offsets must be two integers [begin, end] with 0 <= begin <= end");
        }

        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        if (end - begin != entry.ElementCount * dtype.ElementSize())
        {
            throw Bad($"{end - begin} data bytes do not hold a {dtype.Name()} tensor of shape [{string.Join(", ", shape)}]");
        }

        if (end > dataLength)
        {
            throw new ModelException(
                $"{path}: truncated safetensors file: tensor '{name}' needs data up to byte {end}, but the data section has {dataLength}");
        }

        return entry;
    }
}
