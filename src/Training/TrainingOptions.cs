namespace Tts.Training;

/// <summary>How long and how a model is trained. The defaults are what the shipped models were trained with.</summary>
public sealed record TrainingOptions
{
    public int Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 0.01;
    public int Seed { get; init; } = 1;

    /// <summary>Intra-op threads (0: TorchSharp's default). One by default: on a shared 2-core machine two threads spin-wait on each other (measured: 3 s per step instead of 0.45).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Progress is reported every this many steps.</summary>
    public int LogEvery { get; init; } = 50;
}
