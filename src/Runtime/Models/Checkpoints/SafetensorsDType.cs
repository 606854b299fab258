using TorchSharp;

namespace Tts.Runtime.Models.Checkpoints;

/// <summary>The safetensors element types this runtime reads and writes, with their torch equivalents.</summary>
public enum SafetensorsDType
{
    F32,
    F16,
    BF16,
}

internal static class SafetensorsDTypes
{
    public static string Name(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.BF16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static int ElementSize(this SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 2;

    public static torch.ScalarType ScalarType(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => torch.ScalarType.Float32,
        SafetensorsDType.F16 => torch.ScalarType.Float16,
        SafetensorsDType.BF16 => torch.ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static bool TryParse(string name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            default: dtype = default; return false;
        }
    }
}
