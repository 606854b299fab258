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

        CheckFinite(entry, stored);
        return stored.to(dtype, device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One NaN or infinite weight makes every logit NaN, and decoding then ends each text at once with no error, so it
    /// is refused here, by one vectorized pass over the tensor as stored (F16/BF16 values stay finite in float32).
    /// </summary>
    private void CheckFinite(SafetensorsEntry entry, torch.Tensor stored)
    {
        var finite = stored.isfinite();
        if (finite.all().item<bool>())
        {
            return;
        }

        var bad = finite.logical_not().flatten();
        var count = bad.sum().item<long>();
        var first = bad.nonzero()[0, 0].item<long>();
        var value = stored.flatten()[first].to(torch.ScalarType.Float32).item<float>();
        var index = new long[entry.Shape.Length];
        for (var dimension = index.Length - 1; dimension >= 0; dimension--)
        {
            index[dimension] = first % entry.Shape[dimension];
            first /= entry.Shape[dimension];
        }

        throw new ModelException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Path}: tensor '{entry.Name}' has {count} NaN or infinite value{(count == 1 ? "" : "s")} (the first, {value}, at [{string.Join(", ", index)}]): the checkpoint is corrupt or overflowed in training"));
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
            throw new ModelException($"{path}: the safetensors header is not valid JSON {ModelFiles.Locate(exception)}", exception);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelException($"{path}: the safetensors header must be a JSON object, got {root.ValueKind}");
            }

            // A tensor name or string that is not text fails only when read; find it first, with its place.
            if (ModelFiles.FindUnpairedSurrogate(root, "") is { } unpaired)
            {
                throw new ModelException($"{path}: {(unpaired == "a key" ? "a tensor name" : unpaired)} {ModelFiles.UnpairedSurrogate}");
            }

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    CheckMetadata(path, property.Value);
                    continue;
                }

                if (!entries.TryAdd(property.Name, ParseEntry(path, property.Name, property.Value, dataLength)))
                {
                    throw new ModelException($"{path}: tensor '{property.Name}' appears twice in the header");
                }
            }

            CheckNoOverlap(path, entries.Values);
            return entries;
        }
    }

    /// <summary>The format makes <c>__metadata__</c> a map of strings to strings.</summary>
    private static void CheckMetadata(string path, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw new ModelException($"{path}: __metadata__ must be an object of strings, got {Describe(metadata)}");
        }

        foreach (var entry in metadata.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new ModelException($"{path}: __metadata__.{entry.Name} must be a string, got {Describe(entry.Value)}");
            }
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        ModelException Bad(string why) => new($"{path}: tensor '{name}': {why}");

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"the header entry must be an object with \"dtype\", \"shape\" and \"data_offsets\", got {Describe(value)}");
        }

        var dtypeElement = Field(value, "dtype");
        if (dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Bad($"\"dtype\" must be a string such as \"F32\", got {Describe(dtypeElement)}");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
        {
            throw Bad($"unsupported dtype {dtypeName} (supported: F32, F16, BF16)");
        }

        var shapeElement = Field(value, "shape");
        if (shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"\"shape\" must be an array of non-negative integers, got {Describe(shapeElement)}");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var size in shapeElement.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out shape[i]) || shape[i] < 0)
            {
                throw Bad($"the shape must be non-negative integers, but shape[{i}] is {Describe(size)}");
            }

            i++;
        }

        long byteCount;
        try
        {
            byteCount = checked(shape.Aggregate(1L, (product, size) => product * size) * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw Bad($"the shape [{string.Join(", ", shape)}] has more bytes than a file can hold");
        }

        var offsetsElement = Field(value, "data_offsets");
        var offsets = offsetsElement.ValueKind == JsonValueKind.Array ? offsetsElement.EnumerateArray().ToArray() : [];
        if (offsets is not [{ ValueKind: JsonValueKind.Number } first, { ValueKind: JsonValueKind.Number } second]
            || !first.TryGetInt64(out var begin) || !second.TryGetInt64(out var end) || begin < 0 || end < begin)
        {
            throw Bad($"data_offsets must be two integers [begin, end] with 0 <= begin <= end, got {Describe(offsetsElement)}");
        }

        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        if (end - begin != byteCount)
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

    /// <summary>Two tensors sharing bytes is a corrupt (or crafted) file; the format forbids it.</summary>
    private static void CheckNoOverlap(string path, IEnumerable<SafetensorsEntry> entries)
    {
        SafetensorsEntry? previous = null;
        foreach (var entry in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
            {
                throw new ModelException(
                    $"{path}: tensor '{entry.Name}' (data bytes {entry.Begin} to {entry.End}) overlaps tensor '{previous.Name}' ({previous.Begin} to {previous.End})");
            }

            previous = entry;
        }
    }

    /// <summary>The property, or an undefined element (described as missing) when there is none.</summary>
    private static JsonElement Field(JsonElement entry, string name) => entry.TryGetProperty(name, out var field) ? field : default;

    private static string Describe(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            return "nothing (missing)";
        }

        var text = element.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
