using System.Runtime.InteropServices;

namespace Tts.Runtime.Execution;

/// <summary>Free and total memory of one accelerator, in bytes.</summary>
public readonly record struct DeviceMemoryInfo(long FreeBytes, long TotalBytes);

/// <summary>
/// The memory of a CUDA device, for the pre-check of particles that live on it (a transformer's KV cache and
/// activations on <c>--device cuda</c>). TorchSharp 0.107 has no <c>torch.cuda.mem_get_info</c> (its native shim
/// exports only is_available, device_count, synchronize and the seeds), so this asks the CUDA driver API directly:
/// <c>libcuda.so.1</c>, which the NVIDIA driver installs wherever CUDA runs. It retains the device's primary context
/// (the one libtorch uses, so nothing new is made once a model is on the device), makes it current on this thread,
/// reads <c>cuMemGetInfo</c> and releases it. Ordinals are CUDA's (after <c>CUDA_VISIBLE_DEVICES</c>), as torch's are.
/// </summary>
public static class CudaMemory
{
    private const string Driver = "libcuda.so.1";

    /// <summary>Free and total memory of CUDA device <paramref name="ordinal"/>; null where there is no driver or a call fails.</summary>
    public static DeviceMemoryInfo? Query(int ordinal)
    {
        if (!OperatingSystem.IsLinux() || ordinal < 0)
        {
            return null;
        }

        try
        {
            if (NativeMethods.Init(0) != 0 || NativeMethods.DeviceGet(out var device, ordinal) != 0
                || NativeMethods.PrimaryContextRetain(out var context, device) != 0)
            {
                return null;
            }

            try
            {
                if (NativeMethods.PushContext(context) != 0)
                {
                    return null;
                }

                try
                {
                    return NativeMethods.MemoryInfo(out var free, out var total) == 0
                        ? new DeviceMemoryInfo(Bytes(free), Bytes(total))
                        : null;
                }
                finally
                {
                    _ = NativeMethods.PopContext(out _);
                }
            }
            finally
            {
                _ = NativeMethods.PrimaryContextRelease(device);
            }
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null; // no NVIDIA driver here: nothing to check
        }
    }

    private static long Bytes(nuint size) => (ulong)size > long.MaxValue ? long.MaxValue : (long)size;

    private static class NativeMethods
    {
        // CUresult is an int (0 = CUDA_SUCCESS); CUdevice an int; CUcontext a pointer; sizes size_t.
        [DllImport(Driver, EntryPoint = "cuInit")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Init(uint flags);

        [DllImport(Driver, EntryPoint = "cuDeviceGet")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int DeviceGet(out int device, int ordinal);

        [DllImport(Driver, EntryPoint = "cuDevicePrimaryCtxRetain")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int PrimaryContextRetain(out nint context, int device);

        [DllImport(Driver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int PrimaryContextRelease(int device);

        [DllImport(Driver, EntryPoint = "cuCtxPushCurrent_v2")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int PushContext(nint context);

        [DllImport(Driver, EntryPoint = "cuCtxPopCurrent_v2")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int PopContext(out nint context);

        [DllImport(Driver, EntryPoint = "cuMemGetInfo_v2")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int MemoryInfo(out nuint free, out nuint total);
    }
}
