using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Benchmarking;

/// <summary>
/// The machine's measured ceilings on one device, taken with TorchSharp in the same process as the measurements
/// they bound: float32 matmul rate and memory bandwidth (a streaming read, a copy). Each is the best of several
/// repetitions: the roofline is what the machine can reach, so the fastest repetition is the closest to it.
/// </summary>
public sealed record MachineRates(double MatmulFlopsPerSecond, double ReadBytesPerSecond, double CopyBytesPerSecond, int MatmulSize, long StreamBytes)
{
    /// <summary>The bandwidth a decode step is held to: reading weights and caches is a streaming read.</summary>
    public double BandwidthBytesPerSecond => ReadBytesPerSecond;

    /// <param name="matmulSize">Side of the square float32 matrices multiplied (2·n³ FLOPs per product).</param>
    /// <param name="streamBytes">Size of the float32 tensor read (sum) and copied; far above the caches to measure memory.</param>
    public static MachineRates Measure(Device device, int matmulSize, long streamBytes, int repetitions)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (matmulSize < 1 || streamBytes < 4 || repetitions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(repetitions), "matmul size, stream bytes and repetitions must be positive");
        }

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var generator = new Generator(1, device);
        var a = torch.rand([matmulSize, matmulSize], ScalarType.Float32, device, generator: generator);
        var b = torch.rand([matmulSize, matmulSize], ScalarType.Float32, device, generator: generator);
        var elements = streamBytes / 4;
        var source = torch.rand([elements], ScalarType.Float32, device, generator: generator);
        var target = torch.empty([elements], ScalarType.Float32, device);

        // .item() waits for the device: on CUDA the kernels are asynchronous, on the CPU it costs one read.
        double Matmul() => Timing.Seconds(() =>
        {
            using var product = a.mm(b);
            _ = product[0, 0].item<float>();
        });
        double Read() => Timing.Seconds(() =>
        {
            using var sum = source.sum();
            _ = sum.item<float>();
        });
        double Copy() => Timing.Seconds(() =>
        {
            using var first = target.copy_(source)[0];
            _ = first.item<float>();
        });

        // One warm-up each (allocator, thread pool, first-touch of the pages), then the best of the repetitions.
        Matmul();
        Read();
        Copy();
        var matmulSeconds = Enumerable.Range(0, repetitions).Select(_ => Matmul()).Min();
        var readSeconds = Enumerable.Range(0, repetitions).Select(_ => Read()).Min();
        var copySeconds = Enumerable.Range(0, repetitions).Select(_ => Copy()).Min();
        var flops = 2.0 * matmulSize * matmulSize * (double)matmulSize;
        return new MachineRates(flops / matmulSeconds, elements * 4.0 / readSeconds, 2.0 * elements * 4.0 / copySeconds, matmulSize, elements * 4);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"matmul {MatmulFlopsPerSecond / 1e9:F1} GFLOP/s (float32, {MatmulSize}x{MatmulSize}); read {ReadBytesPerSecond / 1e9:F1} GB/s, copy {CopyBytesPerSecond / 1e9:F1} GB/s (read + write, {StreamBytes / 1e6:F0} MB)");
}
