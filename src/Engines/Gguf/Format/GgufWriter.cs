using System.Text;

namespace Tts.Engines.Gguf.Format;

/// <summary>
/// Writes a GGUF (version 3) file: the header, the metadata key-values, the tensor infos, padding to the alignment,
/// then each tensor's data at an aligned offset. Tensor data is produced on demand while writing, so a large model
/// is never held twice in memory.
/// </summary>
public sealed class GgufWriter
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const uint Version = 3;
    public const int DefaultAlignment = 32;

    private readonly List<(string Key, GgufValueType Type, Action<BinaryWriter> Write)> _metadata = new();
    private readonly List<PendingTensor> _tensors = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public void AddString(string key, string value) => Add(key, GgufValueType.String, w => WriteString(w, value));

    public void AddUInt32(string key, uint value) => Add(key, GgufValueType.UInt32, w => w.Write(value));

    public void AddFloat32(string key, float value) => Add(key, GgufValueType.Float32, w => w.Write(value));

    public void AddBool(string key, bool value) => Add(key, GgufValueType.Bool, w => w.Write((byte)(value ? 1 : 0)));

    public void AddStrings(string key, IReadOnlyList<string> values) =>
        Add(key, GgufValueType.Array, w =>
        {
            w.Write((uint)GgufValueType.String);
            w.Write((ulong)values.Count);
            foreach (var value in values)
            {
                WriteString(w, value);
            }
        });

    public void AddInt32s(string key, IReadOnlyList<int> values) =>
        Add(key, GgufValueType.Array, w =>
        {
            w.Write((uint)GgufValueType.Int32);
            w.Write((ulong)values.Count);
            foreach (var value in values)
            {
                w.Write(value);
            }
        });

    /// <summary>
    /// A tensor of row-major <paramref name="shape"/> (as PyTorch writes it); GGUF stores the dimensions innermost
    /// first, so they are written reversed. <paramref name="data"/> is called once, while writing, and must return
    /// exactly the bytes the type and shape call for.
    /// </summary>
    public void AddTensor(string name, IReadOnlyList<long> shape, GgufTensorType type, Func<byte[]> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(data);
        if (_tensors.Any(t => t.Name == name))
        {
            throw new ArgumentException($"tensor '{name}' is added twice", nameof(name));
        }

        var elements = shape.Aggregate(1L, (product, d) => product * d);
        var size = GgufTensorTypes.ByteSize((uint)type, elements)
                   ?? throw new ArgumentException($"tensor '{name}': {elements} elements cannot be stored as {type.Name()}", nameof(shape));
        _tensors.Add(new PendingTensor(name, shape.Reverse().ToArray(), type, size, data));
    }

    public void Write(string path)
    {
        var temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write((ulong)_tensors.Count);
            writer.Write((ulong)_metadata.Count);
            foreach (var (key, type, write) in _metadata)
            {
                WriteString(writer, key);
                writer.Write((uint)type);
                write(writer);
            }

            long offset = 0;
            var offsets = new long[_tensors.Count];
            for (var i = 0; i < _tensors.Count; i++)
            {
                var tensor = _tensors[i];
                WriteString(writer, tensor.Name);
                writer.Write((uint)tensor.Dimensions.Length);
                foreach (var dimension in tensor.Dimensions)
                {
                    writer.Write((ulong)dimension);
                }

                writer.Write((uint)tensor.Type);
                offsets[i] = offset;
                writer.Write((ulong)offset);
                offset = Align(offset + tensor.Size);
            }

            Pad(writer);
            var dataStart = stream.Position;
            for (var i = 0; i < _tensors.Count; i++)
            {
                var bytes = _tensors[i].Data();
                if (bytes.Length != _tensors[i].Size)
                {
                    throw new InvalidOperationException($"tensor '{_tensors[i].Name}' produced {bytes.Length} bytes, expected {_tensors[i].Size}");
                }

                writer.Write(bytes);
                Pad(writer);
                if (i + 1 < _tensors.Count && stream.Position - dataStart != offsets[i + 1])
                {
                    throw new InvalidOperationException("GGUF writer: tensor offsets out of step");
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static long Align(long offset) => (offset + DefaultAlignment - 1) / DefaultAlignment * DefaultAlignment;

    private static void Pad(BinaryWriter writer)
    {
        var position = writer.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
        {
            writer.Write((byte)0);
        }
    }

    private void Add(string key, GgufValueType type, Action<BinaryWriter> write)
    {
        if (!_keys.Add(key))
        {
            throw new ArgumentException($"metadata key '{key}' is added twice", nameof(key));
        }

        _metadata.Add((key, type, write));
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private sealed record PendingTensor(string Name, long[] Dimensions, GgufTensorType Type, long Size, Func<byte[]> Data);
}
