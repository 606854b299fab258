using System.Text.Json;
using TorchSharp;

namespace Tts.Runtime.Models.Checkpoints;

/// <summary>
/// The tensors of a model directory: <c>model.safetensors</c>, or the shards listed by
/// <c>model.safetensors.index.json</c> (its <c>weight_map</c> maps each tensor name to a shard file).
/// </summary>
public sealed class Checkpoint
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, string> _fileOfTensor;
    private readonly Dictionary<string, SafetensorsFile> _openFiles = new(StringComparer.Ordinal);

    private Checkpoint(string describedAs, Dictionary<string, string> fileOfTensor)
    {
        DescribedAs = describedAs;
        _fileOfTensor = fileOfTensor;
    }

    /// <summary>The single file or the index file: what messages about a missing tensor name.</summary>
    public string DescribedAs { get; }

    public static Checkpoint Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var single = Path.Combine(directory, SingleFileName);
        var index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index))
        {
            return new Checkpoint(index, ReadIndex(directory, index));
        }

        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            var checkpoint = new Checkpoint(single, file.Names.ToDictionary(name => name, _ => single, StringComparer.Ordinal));
            checkpoint._openFiles[single] = file;
            return checkpoint;
        }

        throw new ModelException($"{directory}: no {SingleFileName} or {IndexFileName} in the model directory");
    }

    public bool Contains(string name) => _fileOfTensor.ContainsKey(name);

    /// <summary>
    /// Reads tensor <paramref name="name"/>, checks its shape and converts it to <paramref name="dtype"/> on
    /// <paramref name="device"/>. The caller owns the result. <paramref name="shapeSource"/> says where the expected
    /// shape comes from (e.g. "config.json: hidden_size=64"), so that a mismatch names both sides.
    /// </summary>
    public torch.Tensor Load(string name, long[] expectedShape, torch.ScalarType dtype, torch.Device device, string shapeSource)
    {
        if (!_fileOfTensor.TryGetValue(name, out var path))
        {
            throw new ModelException($"{DescribedAs}: missing tensor '{name}'");
        }

        var file = FileAt(path);
        var entry = file.Contains(name)
            ? file.Entry(name)
            : throw new ModelException($"{path}: missing tensor '{name}' (listed there by {DescribedAs})");
        if (!entry.Shape.SequenceEqual(expectedShape))
        {
            throw new ModelException(
                $"{path}: tensor '{name}' has shape [{string.Join(", ", entry.Shape)}], expected [{string.Join(", ", expectedShape)}] ({shapeSource})");
        }

        return file.Read(name, dtype, device);
    }

    private SafetensorsFile FileAt(string path)
    {
        if (!_openFiles.TryGetValue(path, out var file))
        {
            if (!File.Exists(path))
            {
                throw new ModelException($"{DescribedAs}: shard file not found: {path}");
            }

            file = SafetensorsFile.Open(path);
            _openFiles[path] = file;
        }

        return file;
    }

    private static Dictionary<string, string> ReadIndex(string directory, string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
            {
                throw new ModelException($"{indexPath}: expected a JSON object with a \"weight_map\" object");
            }

            if (ModelFiles.FindUnpairedSurrogate(weightMap, "weight_map") is { } unpaired)
            {
                throw new ModelException($"{indexPath}: {unpaired} {ModelFiles.UnpairedSurrogate}");
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in weightMap.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                if (shard.Length == 0 || Path.IsPathRooted(shard) || shard.Contains("..", StringComparison.Ordinal))
                {
                    throw new ModelException($"{indexPath}: weight_map[\"{entry.Name}\"] must name a shard file in the model directory");
                }

                map[entry.Name] = Path.Combine(directory, shard);
            }

            return map;
        }
        catch (JsonException exception)
        {
            throw new ModelException($"{indexPath}: not valid JSON {ModelFiles.Locate(exception)}", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelException($"{indexPath}: cannot read the index: {exception.Message}", exception);
        }
    }
}
