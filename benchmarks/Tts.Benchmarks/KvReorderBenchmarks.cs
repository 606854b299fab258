using BenchmarkDotNet.Attributes;
using TorchSharp;
using Tts.Benchmarking;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Benchmarks;

/// <summary>
/// KV reorder (a resample's gather) on the random 109.5M-parameter Llama after a 256-token prompt and 16 generated
/// tokens: only the generated suffix moves, the shared prompt's keys and values stay where they are.
/// </summary>
public class KvReorderBenchmarks
{
    private TransformerModel _model = null!;
    private IDecodeState _state = null!;
    private Tensor _ancestors = null!;

    [Params(16, 64)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchModels.Random(BenchModels.Llama110M, DevicePreference.Cpu);
        var random = new Random(5);
        var prompt = Enumerable.Range(0, 256).Select(_ => random.Next(1, 96)).ToArray();
        _state = _model.Start([prompt], new int[N]);
        for (var step = 0; step < 16; step++)
        {
            using var scope = torch.NewDisposeScope();
            _state.Append(torch.tensor(Enumerable.Range(0, N).Select(_ => (long)random.Next(1, 96)).ToArray()));
        }

        _ancestors = torch.tensor(Enumerable.Range(0, N).Select(_ => (long)random.Next(N)).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ancestors.Dispose();
        _state.Dispose();
        _model.Dispose();
    }

    [Benchmark]
    public int Reorder()
    {
        _state.Reorder(_ancestors);
        return _state.Rows;
    }
}
