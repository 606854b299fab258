using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>
/// A test that needs CUDA: skipped (reported as skipped, never as passed) where <c>torch.cuda.is_available()</c>
/// is false, which is every machine without a GPU and the CPU-only libtorch this project ships.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
        {
            Skip = "CUDA is not available (torch.cuda.is_available() is false)";
        }
    }
}

[Trait("Category", "Gpu")]
public sealed class CudaDecodeTests
{
    private const double Tolerance = 1e-4;

    private static double[][] DecodeLogProbs(DevicePreference device)
    {
        using var model = TinyTransformers.Create(seed: 13, options: new TransformerOptions { Device = device });
        using var state = model.Start([model.Encode("abc"), model.Encode("hex")], [0, 1, 1]);
        var seen = new List<double[]>();
        for (var step = 0; step < 6; step++)
        {
            using (var scope = torch.NewDisposeScope())
            {
                var logProbs = state.NextLogProbs().cpu();
                seen.AddRange(Enumerable.Range(0, state.Rows).Select(r => logProbs[r].data<double>().ToArray()));
            }

            using var tokens = torch.tensor(Enumerable.Range(0, state.Rows).Select(r => (long)(1 + (r * 4 + step) % 15)).ToArray());
            state.Append(tokens);
        }

        return [.. seen];
    }

    [CudaFact]
    public void Decoding_on_cuda_matches_decoding_on_the_cpu()
    {
        var cpu = DecodeLogProbs(DevicePreference.Cpu);
        var cuda = DecodeLogProbs(DevicePreference.Cuda);
        Assert.Equal(cpu.Length, cuda.Length);
        for (var i = 0; i < cpu.Length; i++)
        {
            for (var token = 0; token < cpu[i].Length; token++)
            {
                var (expected, actual) = (cpu[i][token], cuda[i][token]);
                Assert.True(
                    double.IsNegativeInfinity(expected) ? double.IsNegativeInfinity(actual) : Math.Abs(expected - actual) <= Tolerance,
                    $"row-step {i}, token {token}: CPU {expected}, CUDA {actual}");
            }
        }
    }
}
