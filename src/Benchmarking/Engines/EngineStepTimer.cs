using TorchSharp;
using Tts.Runtime.Models;

namespace Tts.Benchmarking.Engines;

/// <summary>A decode step of any engine through the runtime's own boundary (<see cref="IDecodeState"/>).</summary>
public static class EngineStepTimer
{
    /// <summary>The median seconds of one step (log-probabilities read, one token appended per row) after two warm-up steps.</summary>
    public static double StepSeconds(ILanguageModel model, int[] prompt, int rows, int steps, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var random = new Random(seed);
        var vocabulary = model.Vocabulary.Count;
        using var state = model.Start([prompt], new int[rows]);
        double Step() => Timing.Seconds(() =>
        {
            using var scope = torch.NewDisposeScope();
            var logProbs = state.NextLogProbs();
            _ = logProbs.sum().item<double>(); // reading the result, as sampling does, waits for the step to finish
            var tokens = Enumerable.Range(0, rows).Select(_ =>
            {
                var id = random.Next(vocabulary);
                return (long)(id == model.Vocabulary.EosId ? (id + 1) % vocabulary : id);
            }).ToArray();
            state.Append(torch.tensor(tokens));
        });

        Step();
        Step();
        return Timing.Median(Enumerable.Range(0, steps).Select(_ => Step()).ToList());
    }
}
