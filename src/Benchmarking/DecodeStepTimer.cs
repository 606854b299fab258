using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Benchmarking;

/// <summary>Times the transformer's batched decode step, prefill and KV reorder at a given number of rows and context.</summary>
public static class DecodeStepTimer
{
    /// <param name="steps">Timed steps (after two warm-up steps); the median is reported.</param>
    /// <param name="reorders">KV reorders to time (random ancestors with repeats, each followed by a timed step); 0 for none.</param>
    /// <param name="prefills">Timed prefills (the median is reported); the state of the last one is decoded.</param>
    public static DecodeStepMeasurement Measure(TransformerModel model, int rows, int promptLength, int steps, int reorders = 0, int prefills = 1, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (rows < 1 || promptLength < 1 || steps < 1 || prefills < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), "rows, prompt length, steps and prefills must be positive");
        }

        var random = new Random(seed);
        var vocabulary = model.Vocabulary.Count;
        // Any token but EOS: a row that ended would stop advancing.
        int Token()
        {
            var id = random.Next(vocabulary);
            return id == model.Vocabulary.EosId ? (id + 1) % vocabulary : id;
        }
        var prompt = Enumerable.Range(0, promptLength).Select(_ => Token()).ToArray();

        var prefillSeconds = new List<double>();
        IDecodeState? state = null;
        try
        {
            for (var p = 0; p < prefills; p++)
            {
                state?.Dispose();
                state = null;
                prefillSeconds.Add(Timing.Seconds(() => state = model.Start([prompt], new int[rows])));
            }

            var decoding = state!;
            var generated = 0;
            void Step()
            {
                using var scope = torch.NewDisposeScope();
                var logProbs = decoding.NextLogProbs();
                var tokens = torch.tensor(Enumerable.Range(0, rows).Select(_ => (long)Token()).ToArray(), device: model.Device);
                _ = logProbs.sum().item<double>(); // reading the result, as sampling does, waits for the step to finish
                decoding.Append(tokens);
                generated++;
            }

            Step();
            Step();
            var stepSeconds = Timing.Median(Enumerable.Range(0, steps).Select(_ => Timing.Seconds(Step)).ToList());
            double? reorderSeconds = null, afterReorder = null;
            if (reorders > 0)
            {
                var reorderTimes = new List<double>();
                var after = new List<double>();
                for (var r = 0; r < reorders; r++)
                {
                    using var ancestors = torch.tensor(Enumerable.Range(0, rows).Select(_ => (long)random.Next(rows)).ToArray(), device: model.Device);
                    reorderTimes.Add(Timing.Seconds(() => decoding.Reorder(ancestors)));
                    after.Add(Timing.Seconds(Step));
                }

                reorderSeconds = Timing.Median(reorderTimes);
                afterReorder = Timing.Median(after);
            }

            return new DecodeStepMeasurement(rows, promptLength, generated, Timing.Median(prefillSeconds), stepSeconds, reorderSeconds, afterReorder, MemoryOf(model, decoding));
        }
        finally
        {
            state?.Dispose();
        }
    }

    private static KvMemory MemoryOf(TransformerModel model, IDecodeState state)
    {
        var config = model.Config;
        var elementSize = model.Network.DType == ScalarType.Float64 ? 8 : model.Network.DType == ScalarType.Float32 ? 4 : 2;
        var perPosition = 2L * config.LayerCount * config.KeyValueHeadCount * config.HeadDim * elementSize;
        if (state is not TransformerDecodeState transformer)
        {
            return new KvMemory(perPosition, 0, 0, 0, state.Rows);
        }

        var (prefix, suffix) = transformer.Cache.AllocatedBytes();
        return new KvMemory(perPosition, transformer.Cache.SuffixCapacity, prefix, suffix, state.Rows);
    }
}
