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
        var keys = new long[population.Rows];
        for (var row = 0; row < keys.Length; row++)
        {
            keys[row] = CounterRandom.RowKey(seed, firstRun + population.RunOf(row), stream, population.ParticleOf(row));
        }

        Decode(population, new DecodeRequest(options, keys, Enumerable.Repeat(true, population.Rows).ToArray()), new ArrayMeter(tokensSpent, callsSpent), CancellationToken.None);
    }

    /// <summary>
    /// Decodes the active rows together, one batched model step per token, until each has left the decode (EOS, a
    /// stop string, its token limit, no allowed token) or, in a race, enough rows of every run have finished.
    /// Cancellation is checked before every model step.
    /// </summary>
    /// <param name="chooseTokens">
    /// Replaces the sampler (speculative sampling): given the [rows, V] next-token log-probabilities, the token step
    /// and the held rows, returns [rows] int64 tokens. Null: sample from the transformed law (masked when asked).
    /// </param>
    public static DecodeOutcome Decode(
        Population population, DecodeRequest request, IStepMeter meter, CancellationToken cancellation, Func<Tensor, long, bool[], Tensor>? chooseTokens = null)
    {
        var rows = population.Rows;
        var options = request.Options;
        var eos = population.Model.Vocabulary.EosId;
        var vocabulary = population.Model.Vocabulary;
        var longestStop = options.Stop.Count == 0 ? 0 : options.Stop.Max(s => s.Length);
        var done = population.Done;
        var inStep = Enumerable.Range(0, rows).Select(row => request.Active[row] && !done[row]).ToArray();
        var stepStart = population.Texts.Select(t => t.Length).ToArray();
        var stepTokens = new int[rows];
        var logAllowedMass = new double[rows];
        var finishStep = Enumerable.Repeat(-1, rows).ToArray();

        using var rowKeys = torch.tensor(request.RowKeys, dtype: ScalarType.Int64);
        using var allowed = request.Allowed is null ? null : torch.tensor(request.Allowed).unsqueeze(0).expand(rows, request.Allowed.Length).contiguous();
        var liveRunRows = new int[population.Runs];
        for (var step = 0; step < options.MaxTokens; step++)
        {
            Array.Clear(liveRunRows, 0, liveRunRows.Length);
            for (var row = 0; row < rows; row++)
            {
                if (inStep[row])
                {
                    liveRunRows[population.RunOf(row)]++;
                }
            }

            if (liveRunRows.All(n => n == 0) || (request.FirstFinished is { } m && EnoughFinished(population, finishStep, m)))
            {
                break;
            }

            cancellation.ThrowIfCancellationRequested();
            long[] sampled;
            double[]? masses = null;
            using (var scope = torch.NewDisposeScope())
            {
                var logProbs = population.State.NextLogProbs(cancellation);
                Tensor tokens;
                var held = Array.ConvertAll(inStep, live => !live);
                if (chooseTokens is not null)
                {
                    tokens = chooseTokens(logProbs, step, held);
                }
                else if (allowed is null)
                {
                    tokens = TokenSampler.Sample(logProbs, options.Sampling, rowKeys, step);
                }
                else
                {
                    var masked = TokenSampler.SampleMasked(logProbs, options.Sampling, allowed, rowKeys, step);
                    tokens = masked.Tokens;
                    masses = masked.LogAllowedMass.data<double>().ToArray();
                }

                sampled = tokens.data<long>().ToArray();

                // Only a mask or a token chooser can give NoToken (< 0), which must not reach the embedding; held rows'
                // tokens are ignored by Append. The history column (pads for held rows) is built on the host from the
                // tokens already read back, not with three more tensor ops per step.
                population.State.Append(masses is null && chooseTokens is null ? tokens : tokens.clamp_min(0), held);
                population.AppendStep(Array.IndexOf(held, true) < 0 ? tokens : torch.tensor(HistoryColumn(sampled, inStep)));
            }

            meter.Step(liveRunRows);
            for (var row = 0; row < rows; row++)
            {
                if (!inStep[row])
                {
                    continue;
                }

                var token = (int)sampled[row];
                if (masses is not null)
                {
                    logAllowedMass[row] += masses[row];
                }

                if (token == TokenSampler.NoToken)
                {
                    // No allowed token had mass: the particle cannot continue (its weight is −∞ in smc).
                    Leave(row, ends: true);
                    continue;
                }

                population.Lengths[row]++;
                stepTokens[row]++;
                if (token == eos)
                {
                    Leave(row, ends: true);
                    continue;
                }

                var text = vocabulary.AppendToken(population.Texts[row], token, out var unchanged);
                var from = Math.Max(stepStart[row], unchanged - longestStop + 1);
                if (longestStop > 0 && FindStop(text, options.Stop, Math.Max(0, from)) is var cut and >= 0)
                {
                    population.Texts[row] = request.KeepStop ? text : text.Substring(0, cut);
                    Leave(row, ends: !request.KeepStop);
                    continue;
                }

                population.Texts[row] = text;
                if (stepTokens[row] >= options.MaxTokens)
                {
                    Leave(row, ends: !request.KeepStop);
                }
            }

            void Leave(int row, bool ends)
            {
                inStep[row] = false;
                finishStep[row] = step;
                done[row] |= ends;
            }
        }

        // A byte-level token may have ended a row mid-character: finished texts carry no escaped bytes.
        for (var row = 0; row < rows; row++)
        {
            if (done[row])
            {
                population.Texts[row] = TokenText.Complete(population.Texts[row]);
            }
        }

        return new DecodeOutcome(logAllowedMass, finishStep);
    }

    /// <summary>The step's tokens as the population's history records them: <see cref="Population.PadToken"/> for held rows.</summary>
    private static long[] HistoryColumn(long[] sampled, bool[] inStep)
    {
        var column = new long[sampled.Length];
        for (var row = 0; row < column.Length; row++)
        {
            column[row] = inStep[row] ? sampled[row] : Population.PadToken;
        }

        return column;
    }

    private static bool EnoughFinished(Population population, int[] finishStep, int first)
    {
        var n = population.ParticlesPerRun;
        for (var run = 0; run < population.Runs; run++)
        {
            var finished = 0;
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                finished += finishStep[row] >= 0 ? 1 : 0;
            }

            if (finished < Math.Min(first, n))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The per-run arrays of the plain overload.</summary>
    private sealed class ArrayMeter(long[] tokensSpent, long[] callsSpent) : IStepMeter
    {
        public void Step(int[] liveRowsPerRun)
        {
            for (var run = 0; run < liveRowsPerRun.Length; run++)
            {
                if (liveRowsPerRun[run] > 0)
                {
                    tokensSpent[run] += liveRowsPerRun[run];
                    callsSpent[run]++;
                }
            }
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
