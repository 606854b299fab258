using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// The address of a CPU tensor's first element, for C# kernels that read and write libtorch memory directly. The
/// caller keeps the tensor alive while it uses the pointer (a local that is used afterwards, or <c>GC.KeepAlive</c>).
/// </summary>
internal static unsafe class TensorMemory
{
    /// <summary>A contiguous float32 CPU tensor's elements.</summary>
    public static float* Floats(Tensor tensor) => (float*)Checked(tensor, ScalarType.Float32);

    /// <summary>A contiguous float64 CPU tensor's elements.</summary>
    public static double* Doubles(Tensor tensor) => (double*)Checked(tensor, ScalarType.Float64);

    private static IntPtr Checked(Tensor tensor, ScalarType dtype)
    {
        if (tensor.device_type != DeviceType.CPU || tensor.dtype != dtype || !tensor.is_contiguous())
        {
            // A kernel would read the wrong elements: a caller's bug, not bad input.
            throw new InvalidOperationException(
                $"A C# kernel needs a contiguous {dtype} CPU tensor, got {tensor.dtype} on {tensor.device_type}{(tensor.is_contiguous() ? "" : ", strided")}.");
        }

        var pointer = THSTensor_data(tensor.Handle);
        return pointer != IntPtr.Zero ? pointer : throw new InvalidOperationException("A tensor without data.");
    }

    /// <summary><c>data_ptr</c> (the storage offset included); TorchSharp 0.107 exposes it only through its native shim.</summary>
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);
}
