using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Runtime.Tests.Hosting;

/// <summary>
/// Issue 17, memory: particles that live on a GPU (a transformer on <c>--device cuda</c>: its KV cache and activations)
/// are checked before any compute against that device's free memory, not the host's, and batches shrink to fit it. The
/// device is asked through <see cref="RunOptions.DeviceMemory"/> (the CUDA driver by default); here a model that says
/// its particles are on CUDA device 1 and a device of known free memory stand in for the GPU this machine lacks.
/// </summary>
public sealed class DeviceMemoryCheckTests
{
    private const long MiB = 1L << 20;

    private static readonly StrategyParameter[] Parameters = { new("n", TtsType.Int) };

    private static RunnableStrategy Strategy() =>
        new("draw", "exact", Parameters, new[] { new StrategyRequirement(BindingKind.Model, "policy") },
            (rt, _) => rt.Results(new RunValues(new object?[rt.Runs])), new ParticleCounts(1, new[] { "n" }));

    private static ModelBindings OnDevice(long bytesPerParticle) => new ModelBindings().Bind("policy", new DeviceModel(bytesPerParticle, device: 1));

    private static Dictionary<string, object> N(long n) => new() { ["n"] = n };

    private static RunOptions WithDevice(long freeBytes, int runs = 1) =>
        new(Runs: runs) { DeviceMemory = ordinal => ordinal == 1 ? new DeviceMemoryInfo(freeBytes, 80L << 30) : null };

    [Fact]
    public void A_run_whose_particles_exceed_the_free_memory_of_their_device_is_refused_before_any_compute()
    {
        var error = Assert.Throws<RuntimeException>(() => StrategyRunner.Run(Strategy(), N(16), OnDevice(MiB), new FunctionBindings(), WithDevice(8 * MiB)).ToList());

        Assert.StartsWith("strategy 'draw': one run holds 16 particles, which need about 16 MiB on CUDA device 1 (1 MiB each: model 'policy' 1 MiB)", error.Message, StringComparison.Ordinal);
        Assert.Contains("the free memory of CUDA device 1: 8 MiB of 80 GiB", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 8 particles fit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_memory_limit_caps_the_device_too()
    {
        var options = WithDevice(64L << 30) with { MemoryLimitBytes = 4 * MiB };
        var error = Assert.Throws<RuntimeException>(() => StrategyRunner.Run(Strategy(), N(16), OnDevice(MiB), new FunctionBindings(), options).ToList());

        Assert.Contains("on CUDA device 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("above the memory limit of 4 MiB (--memory-limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batches_shrink_to_the_free_memory_of_the_device()
    {
        // 2 particles of 1 MiB a run, 10 MiB free on the device: 5 runs a batch (the host alone would take all 40).
        Assert.Equal(5, StrategyRunner.RunsPerBatch(Strategy(), N(2), WithDevice(10 * MiB, runs: 40), OnDevice(MiB)));
        var results = StrategyRunner.Run(Strategy(), N(2), OnDevice(MiB), new FunctionBindings(), WithDevice(10 * MiB, runs: 40)).ToList();
        Assert.Equal(Enumerable.Range(0, 40), results.Select(r => r.Run).Order());
    }

    [Fact]
    public void A_device_that_cannot_be_asked_is_not_checked_and_its_models_do_not_count_against_the_host()
    {
        // 1,000 particles of 1 GiB (1 TiB) on a device without a driver to ask: neither refused nor batched by the host's memory.
        var options = new RunOptions(Runs: 3) { DeviceMemory = _ => null };
        Assert.Equal(3, StrategyRunner.Run(Strategy(), N(1000), OnDevice(1L << 30), new FunctionBindings(), options).Count());
        Assert.Equal(3, StrategyRunner.RunsPerBatch(Strategy(), N(1), options, OnDevice(1L << 30)));
    }

    [Fact]
    public void Options_with_the_same_values_stay_equal_with_the_default_device_query() =>
        Assert.Equal(new RunOptions(Seed: 1, Runs: 2), new RunOptions(Seed: 1, Runs: 2));

    [Fact]
    public void The_cuda_driver_query_answers_null_or_a_consistent_size()
    {
        // No NVIDIA driver on the CI machines: null, never an exception. With one, free <= total.
        if (CudaMemory.Query(0) is { } memory)
        {
            Assert.InRange(memory.FreeBytes, 0, memory.TotalBytes);
            Assert.True(memory.TotalBytes > 0);
        }

        Assert.Null(CudaMemory.Query(-1));
    }

    /// <summary>A model whose particles live on a CUDA device; it is never decoded (the bodies here do not sample).</summary>
    private sealed class DeviceModel(long bytesPerParticle, int device) : ILanguageModel
    {
        public Vocabulary Vocabulary { get; } = new(["a", "<eos>"], 1);

        public long BytesPerParticle => bytesPerParticle;

        public int? CudaDevice => device;

        public int[] Encode(string text) => throw new NotSupportedException();

        public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
