using TorchSharp;
using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Populations;

/// <summary>
/// The particles of one population across all batched runs, as struct-of-arrays tensors: row r belongs to run
/// r / ParticlesPerRun. Tokens are written in place into a preallocated [rows, capacity] buffer; log-weights are
/// kept for the SMC machinery (uniform in v0). Texts are mirrored on the CPU because stop strings and the
/// built-in text functions work on text.
/// </summary>
public sealed class Population : IDisposable
{
    private Population(int runs, int particlesPerRun, ILanguageModel model, IDecodeState state)
    {
        Runs = runs;
        ParticlesPerRun = particlesPerRun;
        Model = model;
        State = state;
        Texts = Enumerable.Repeat("", Rows).ToArray();
        Lengths = new int[Rows];
        Done = new bool[Rows];
        Tokens = torch.full(Rows, 0, PadToken, dtype: ScalarType.Int64).DetachFromDisposeScope();
        LogWeights = torch.zeros(Rows, dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    public const long PadToken = -1;

    public int Runs { get; }

    public int ParticlesPerRun { get; }

    public int Rows => Runs * ParticlesPerRun;

    public ILanguageModel Model { get; }

    /// <summary>The model's per-row state (KV cache for a transformer, histories for a tabular model).</summary>
    public IDecodeState State { get; }

    /// <summary>[rows, capacity] int64 generated token ids, padded with <see cref="PadToken"/>.</summary>
    public Tensor Tokens { get; private set; }

    /// <summary>[rows] float64 log importance weights.</summary>
    public Tensor LogWeights { get; }

    /// <summary>Generated text of each row (EOS excluded, cut before a stop string).</summary>
    public string[] Texts { get; }

    /// <summary>Generated tokens per row.</summary>
    public int[] Lengths { get; }

    public bool[] Done { get; }

    public int RunOf(int row) => row / ParticlesPerRun;

    public int ParticleOf(int row) => row % ParticlesPerRun;

    /// <summary>Prefills the prompt of each run once and shares that state with the run's particles.</summary>
    public static Population Start(ILanguageModel model, IReadOnlyList<string> promptPerRun, int particlesPerRun)
    {
        var distinct = promptPerRun.Distinct(StringComparer.Ordinal).ToList();
        var encoded = distinct.Select(model.Encode).ToList();
        var promptOfRow = new int[promptPerRun.Count * particlesPerRun];
        for (var row = 0; row < promptOfRow.Length; row++)
        {
            promptOfRow[row] = distinct.IndexOf(promptPerRun[row / particlesPerRun]);
        }

        var state = model.Start(encoded, promptOfRow);
        return new Population(promptPerRun.Count, particlesPerRun, model, state);
    }

    /// <summary>Decode steps written so far (the used width of <see cref="Tokens"/>).</summary>
    public int Steps { get; private set; }

    /// <summary>Writes one step's tokens in place, growing the buffer geometrically when it is full.</summary>
    public void AppendStep(Tensor tokens)
    {
        var step = Steps++;
        if (step >= Tokens.shape[1])
        {
            var capacity = Math.Max(16, (int)Tokens.shape[1] * 2);
            var grown = torch.full(Rows, capacity, PadToken, dtype: ScalarType.Int64);
            grown[.., ..(int)Tokens.shape[1]] = Tokens;
            Tokens.Dispose();
            Tokens = grown.DetachFromDisposeScope();
        }

        Tokens[.., step] = tokens;
    }

    public void Dispose()
    {
        State.Dispose();
        Tokens.Dispose();
        LogWeights.Dispose();
    }
}
