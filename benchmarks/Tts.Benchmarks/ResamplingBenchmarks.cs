using BenchmarkDotNet.Attributes;
using TorchSharp;
using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Benchmarks;

/// <summary>Every resampler of the runtime on one run of N particles, N = 64 … 1,048,576 (float64 log-weights).</summary>
public class ResamplingBenchmarks
{
    private Tensor _logWeights = null!;
    private Tensor _runKeys = null!;
    private Resampler _resampler = null!;

    [ParamsSource(nameof(Schemes))]
    public string Scheme { get; set; } = "";

    public static IEnumerable<string> Schemes => Resampler.All.Select(r => r.Name);

    [Params(64, 1024, 16384, 262144, 1048576)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _resampler = Resampler.ByName(Scheme);
        _logWeights = LogWeights.Random(N);
        _runKeys = Resampler.RunKeys(seed: 1, firstRun: 0, runs: 1, stream: 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logWeights.Dispose();
        _runKeys.Dispose();
    }

    [Benchmark]
    public long Resample()
    {
        var result = _resampler.Resample(_logWeights, _runKeys, step: 1);
        using var ancestors = result.Ancestors;
        using var alive = result.Alive;
        return ancestors[0, 0].item<long>();
    }
}

/// <summary>ESS and log-sum-exp over one run of N log-weights.</summary>
public class WeightMathBenchmarks
{
    private Tensor _logWeights = null!;

    [Params(64, 1024, 16384, 262144, 1048576)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _logWeights = LogWeights.Random(N);

    [GlobalCleanup]
    public void Cleanup() => _logWeights.Dispose();

    [Benchmark]
    public double LogSumExp()
    {
        using var result = WeightMath.LogSumExp(_logWeights);
        return result[0].item<double>();
    }

    [Benchmark]
    public double EffectiveSampleSize()
    {
        using var result = WeightMath.EffectiveSampleSize(_logWeights);
        return result[0].item<double>();
    }
}

/// <summary>[1, N] float64 log-weights spread over a few units, with a few dead (−∞) particles, as after some SMC steps.</summary>
internal static class LogWeights
{
    public static Tensor Random(int n)
    {
        using var scope = torch.NewDisposeScope();
        var values = torch.randn([1, n], ScalarType.Float64, generator: new Generator(2)).mul_(2);
        var dead = torch.rand([1, n], ScalarType.Float64, generator: new Generator(3)).lt(0.01);
        return values.masked_fill_(dead, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
