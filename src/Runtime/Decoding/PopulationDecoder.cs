using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Decoding;

/// <summary>
/// Decodes all rows of a population together, one batched model step per token, until every row has hit EOS,
/// a stop string or its token limit. Randomness is keyed by (seed, run, stream, particle, step), so a row's
/// tokens are the same whatever else is in the batch.
/// </summary>
public static class PopulationDecoder
{
    /// <param name="tokensSpent">Per run: incremented by the live rows of that run at each step.</param>
    /// <param name="callsSpent">Per run: incremented once per step in which the run has a live row.</param>
    public static void Decode(Population population, DecodeOptions options, ulong seed, int firstRun, int stream, long[] tokensSpent, long[] callsSpent)
    {
        var rows = population.Rows;
        var eos = population.Model.Vocabulary.EosId;
        var vocabulary = population.Model.Vocabulary;
        var longestStop = options.Stop.Count == 0 ? 0 : options.Stop.Max(s => s.Length);

        var keys = new long[rows];
        for (var row = 0; row < rows; row++)
        {
            keys[row] = CounterRandom.RowKey(seed, firstRun + population.RunOf(row), stream, population.ParticleOf(row));
        }

        using var rowKeys = torch.tensor(keys, dtype: ScalarType.Int64);
        var done = population.Done;
        var liveRunRows = new int[population.Runs];
        for (var step = 0; step < options.MaxTokens; step++)
        {
            Array.Clear(liveRunRows, 0, liveRunRows.Length);
            for (var row = 0; row < rows; row++)
            {
                if (!done[row])
                {
                    liveRunRows[population.RunOf(row)]++;
                }
            }

            if (liveRunRows.All(n => n == 0))
            {
                break;
            }

            long[] sampled;
            using (var scope = torch.NewDisposeScope())
            {
                var logProbs = population.State.NextLogProbs();
                var tokens = TokenSampler.Sample(logProbs, options.Sampling, rowKeys, step);
                var finished = torch.tensor(done);
                var written = torch.where(finished, torch.full_like(tokens, Population.PadToken), tokens);
                population.State.Append(tokens);
                population.AppendStep(written);
                sampled = tokens.data<long>().ToArray();
            }

            for (var run = 0; run < population.Runs; run++)
            {
                if (liveRunRows[run] > 0)
                {
                    tokensSpent[run] += liveRunRows[run];
                    callsSpent[run]++;
                }
            }

            for (var row = 0; row < rows; row++)
            {
                if (done[row])
                {
                    continue;
                }

                var token = (int)sampled[row];
                population.Lengths[row]++;
                if (token == eos)
                {
                    done[row] = true;
                    continue;
                }

                var text = vocabulary.AppendToken(population.Texts[row], token, out var unchanged);
                if (longestStop > 0 && FindStop(text, options.Stop, Math.Max(0, unchanged - longestStop + 1)) is var cut and >= 0)
                {
                    text = text.Substring(0, cut);
                    done[row] = true;
                }

                population.Texts[row] = text;
                if (population.Lengths[row] >= options.MaxTokens)
                {
                    done[row] = true;
                }
            }
        }

        // A byte-level token may have ended a row mid-character: finished texts carry no escaped bytes.
        for (var row = 0; row < rows; row++)
        {
            population.Texts[row] = TokenText.Complete(population.Texts[row]);
        }
    }

    /// <summary>The earliest position at which any stop string occurs, searching from <paramref name="from"/>; -1 if none.</summary>
    private static int FindStop(string text, IReadOnlyList<string> stops, int from)
    {
        var earliest = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, from, StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest))
            {
                earliest = at;
            }
        }

        return earliest;
    }
}
