namespace Tts.Runtime.Execution;

/// <summary>
/// How to execute a strategy: <c>Runs</c> independent runs; run i draws its randomness from keys
/// (Seed, FirstRun + i, stream, particle, step), so a run's output does not depend on how runs are batched.
/// </summary>
public sealed record RunOptions(ulong Seed = 0, int Runs = 1, int FirstRun = 0)
{
    /// <summary>The default bound on particles per batch: every step of a batch is one model call over all of them.</summary>
    public const int DefaultParticlesPerBatch = 16384;

    /// <summary>
    /// Runs are batched together up to this many particles (a run's particles estimated from its arguments), which
    /// bounds memory (the KV cache holds every particle of a batch) while amortizing each model call over many runs.
    /// </summary>
    public int ParticlesPerBatch { get; init; } = DefaultParticlesPerBatch;

    /// <summary>
    /// At least this many particles per run when sizing batches, for a caller that knows more than the strategy's spawn
    /// counts say (an evaluation's budget); the larger of the two is used.
    /// </summary>
    public int MinParticlesPerRun { get; init; } = 1;

    /// <summary>
    /// The most memory a batch may take by the runtime's estimate (<see cref="Models.ILanguageModel.BytesPerParticle"/>
    /// for every model it uses, plus <see cref="Hosting.StrategyRunner.RuntimeBytesPerParticle"/>); null: the memory
    /// available to this process (<see cref="AvailableMemoryBytes"/>). Batches are made smaller to fit it, and a run whose
    /// particles alone exceed it is refused before anything is computed.
    /// </summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>
    /// Free and total memory of a CUDA device by ordinal, for models whose particles live there
    /// (<see cref="Models.ILanguageModel.CudaDevice"/>): their share is checked against the device's free memory (and
    /// <see cref="MemoryLimitBytes"/>, when set) instead of the host's. Null from the query: not checked. Default: the
    /// CUDA driver (<see cref="CudaMemory.Query"/>); tests give their own.
    /// </summary>
    public Func<int, DeviceMemoryInfo?> DeviceMemory { get; init; } = CudaMemory.Query;

    /// <summary>The memory .NET says this process may use (physical memory, or the container's limit).</summary>
    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Told the number of runs each batch finished, as batches finish.</summary>
    public IProgress<int>? Progress { get; init; }
}
