using TorchSharp;

namespace Tts.Runtime.Models;

/// <summary>Reads the int64 per-row vectors decode states take (tokens, row indices) into C#.</summary>
internal static class RowVector
{
    public static long[] Read(torch.Tensor tensor, string parameterName, int? expectedLength)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameterName);
        if (tensor.dtype != torch.int64 || tensor.dim() != 1 || (expectedLength is { } length && tensor.shape[0] != length))
        {
            var expected = expectedLength is { } n ? $"[{n}]" : "[rows]";
            throw new ArgumentException(
                $"Expected an int64 tensor of shape {expected}, got {tensor.dtype} of shape [{string.Join(", ", tensor.shape)}].",
                parameterName);
        }

        using var onCpu = tensor.device_type == DeviceType.CPU ? null : tensor.cpu();
        using var contiguous = (onCpu ?? tensor).contiguous();
        return contiguous.data<long>().ToArray();
    }

    /// <summary>
    /// The rows of a state of <paramref name="targetRows"/> rows that a TryWriteRows source's rows go to: one int64
    /// index per source row, each naming an existing row.
    /// </summary>
    public static long[] ReadWriteTargets(torch.Tensor rowIndices, int sourceRows, int targetRows)
    {
        var indices = Read(rowIndices, nameof(rowIndices), sourceRows);
        for (var i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0 || indices[i] >= targetRows)
            {
                throw new ArgumentOutOfRangeException(nameof(rowIndices), indices[i], $"Source row {i} names a row outside the {targetRows} rows.");
            }
        }

        return indices;
    }
}
