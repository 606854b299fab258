using BenchmarkDotNet.Attributes;
using TorchSharp;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Benchmarks;

/// <summary>
/// One batched sampling step over a vocabulary-sized row per particle (64 rows × 32000 tokens, float64
/// log-probabilities, as a decode step hands them over): each transform alone, and all four together.
/// </summary>
public class SamplingBenchmarks
{
    private Tensor _logProbs = null!;
    private Tensor _keys = null!;
    private SamplingOptions _options = null!;

    [Params("temperature", "top-k", "top-p", "min-p", "all")]
    public string Transform { get; set; } = "";

    [Params(64)]
    public int Rows { get; set; }

    [Params(32000)]
    public int Vocabulary { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _logProbs = torch.randn([Rows, Vocabulary], ScalarType.Float64, generator: new Generator(1)).mul_(3).log_softmax(1);
        _keys = torch.arange(Rows, ScalarType.Int64);
        _options = Transform switch
        {
            "temperature" => new SamplingOptions(Temperature: 0.8),
            "top-k" => new SamplingOptions(TopK: 50),
            "top-p" => new SamplingOptions(TopP: 0.9),
            "min-p" => new SamplingOptions(MinP: 0.05),
            _ => new SamplingOptions(Temperature: 0.8, TopK: 50, TopP: 0.9, MinP: 0.05),
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logProbs.Dispose();
        _keys.Dispose();
    }

    [Benchmark]
    public long Sample()
    {
        using var tokens = TokenSampler.Sample(_logProbs, _options, _keys, step: 3);
        return tokens[0].item<long>();
    }
}
