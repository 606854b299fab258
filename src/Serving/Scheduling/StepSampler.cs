using Tts.Runtime.Models;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Serving.Scheduling;

/// <summary>
/// One batched step: the model's next-token log-probabilities for every live row at once, then per group of rows with
/// the same transform one call of the runtime's <see cref="TokenSampler"/>. Row r draws with the key
/// Combine(its row key, its token index), so its token depends only on its own request, seed and position, never on
/// what else shares the batch.
/// </summary>
internal static class StepSampler
{
    /// <summary>Samples one token per live row, hands each to its sequence, and returns them for the model's Append.</summary>
    public static long[] Sample(IDecodeState state, IReadOnlyList<Sequence> live, Vocabulary vocabulary, LogprobsMode mode)
    {
        var tokens = new long[live.Count];
        using var scope = NewDisposeScope();
        var logProbs = state.NextLogProbs();
        var groups = Enumerable.Range(0, live.Count).GroupBy(row => live[row].Job.Processor!.Key);
        foreach (var group in groups)
        {
            var rows = group.ToArray();
            var processor = live[rows[0]].Job.Processor!;
            var raw = rows.Length == live.Count ? logProbs : logProbs.index_select(0, tensor(rows.Select(r => (long)r).ToArray(), device: logProbs.device));
            var baseLaw = processor.Base(raw);
            var empty = processor.Empty(baseLaw);
            if (empty is not null && empty.Any(e => e))
            {
                // No token has mass under allowed_token_ids and logit_bias: those rows end here (the sampler needs mass).
                baseLaw = baseLaw.masked_fill(tensor(empty, device: logProbs.device).unsqueeze(1), 0.0);
            }

            var keys = tensor(rows.Select(r => (long)CounterRandom.Combine(live[r].RowKey, (uint)live[r].Tokens.Count)).ToArray(), device: logProbs.device);
            var sampled = TokenSampler.Sample(baseLaw, processor.Sampling, keys, step: 0);
            var sampledIds = sampled.cpu().data<long>().ToArray();
            var positions = processor.Logprobs is { } top
                ? Positions(mode == LogprobsMode.Processed ? TokenSampler.TransformedLogProbs(baseLaw, processor.Sampling) : raw, sampled, top)
                : null;
            for (var i = 0; i < rows.Length; i++)
            {
                var sequence = live[rows[i]];
                if (empty is not null && empty[i])
                {
                    tokens[rows[i]] = vocabulary.EosId;
                    sequence.Finish("stop", null);
                    continue;
                }

                tokens[rows[i]] = sampledIds[i];
                sequence.Accept((int)sampledIds[i], positions?[i], vocabulary);
            }
        }

        return tokens;
    }

    /// <summary>Per row: the sampled token's log-probability under <paramref name="law"/> and the law's top alternatives.</summary>
    private static PositionLogprobs[] Positions(Tensor law, Tensor sampled, int top)
    {
        var rows = (int)law.shape[0];
        var chosen = law.gather(1, sampled.unsqueeze(1)).squeeze(1).cpu().data<double>().ToArray();
        var ids = sampled.cpu().data<long>().ToArray();
        var result = new PositionLogprobs[rows];
        if (top == 0)
        {
            for (var r = 0; r < rows; r++)
            {
                result[r] = new PositionLogprobs((int)ids[r], chosen[r], []);
            }

            return result;
        }

        // Sorted descending; stable so that among equal values lower ids come first.
        var (values, order) = law.sort(1, descending: true, stable: true);
        var topValues = values.narrow(1, 0, top).cpu().data<double>().ToArray();
        var topIds = order.narrow(1, 0, top).cpu().data<long>().ToArray();
        for (var r = 0; r < rows; r++)
        {
            var alternatives = new (int, double)[top];
            for (var j = 0; j < top; j++)
            {
                alternatives[j] = ((int)topIds[r * top + j], topValues[r * top + j]);
            }

            result[r] = new PositionLogprobs((int)ids[r], chosen[r], alternatives);
        }

        return result;
    }
}
