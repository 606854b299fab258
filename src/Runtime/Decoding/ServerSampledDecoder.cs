using TorchSharp;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Populations;
using static TorchSharp.torch;

namespace Tts.Runtime.Decoding;

/// <summary>
/// The decode of a model that samples on its server (<see cref="IServerSampler"/>): every decoding row asks once for
/// its whole continuation (to its token limit, with the stop strings, seeded by its counter-based key), then the
/// tokens are replayed into the population step by step with the in-process decoder's rules — EOS, stop strings found
/// in the client's own text, token limits, races decided per step — so texts, token history and decode state end as
/// an in-process decode of the same tokens would leave them. What changes is who draws (the law is the server's) and
/// what is metered: what the server says it generated (its <c>usage</c>, a race's losers and cut tails included), as
/// one model call per run, before the replay, so a budget the round overran stops the batch there.
/// </summary>
public static class ServerSampledDecoder
{
    public static DecodeOutcome Decode(Population population, DecodeRequest request, IStepMeter meter, CancellationToken cancellation, IServerSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sampler);
        var rows = population.Rows;
        var groups = request.Groups;
        var vocabulary = population.Model.Vocabulary;
        var eos = vocabulary.EosId;
        var groupOf = PopulationDecoder.GroupOfRows(request, rows, vocabulary.Count);
        var done = population.Done;
        var inStep = Enumerable.Range(0, rows).Select(row => groupOf[row] >= 0 && !done[row] && groups[groupOf[row]].Options.MaxTokens > 0).ToArray();
        for (var row = 0; row < rows; row++)
        {
            if (inStep[row] && groups[groupOf[row]].Allowed is not null)
            {
                // The capability check refuses this before a run; a caller that skipped it gets the same reason.
                throw new RuntimeException("a model that samples on its server cannot apply a `forbid` mask: bind a model with full next-token distributions (e.g. ?sampling=client)");
            }
        }

        cancellation.ThrowIfCancellationRequested();
        var asked = Enumerable.Range(0, rows).Where(row => inStep[row]).ToArray();
        var requests = asked
            .Select(row => new ContinuationRequest(row, population.RunOf(row), groups[groupOf[row]].Options, request.KeepStop, unchecked((ulong)request.RowKeys[row])))
            .ToList();
        var answers = requests.Count == 0 ? [] : sampler.Sample(population.State, requests, cancellation);
        if (answers.Count != requests.Count)
        {
            throw new RuntimeException($"the server-sampling model answered {answers.Count} continuations for {requests.Count} rows");
        }

        var continuation = new SampledContinuation?[rows];
        for (var i = 0; i < asked.Length; i++)
        {
            continuation[asked[i]] = answers[i];
        }

        meter.Step(ServedTokensPerRun(population, asked, answers));

        var stepStart = population.Texts.Select(t => t.Length).ToArray();
        var longestStop = groups.Select(g => g.Options.Stop.Count == 0 ? 0 : g.Options.Stop.Max(s => s.Length)).ToArray();
        var stepTokens = new int[rows];
        var finishStep = Enumerable.Repeat(-1, rows).ToArray();
        var liveRunRows = new int[population.Runs];
        for (var step = 0; ; step++)
        {
            Array.Clear(liveRunRows);
            for (var row = 0; row < rows; row++)
            {
                liveRunRows[population.RunOf(row)] += inStep[row] ? 1 : 0;
            }

            if (liveRunRows.All(n => n == 0))
            {
                break;
            }

            var sampled = new long[rows];
            for (var row = 0; row < rows; row++)
            {
                sampled[row] = inStep[row] ? TokenAt(continuation[row]!, stepTokens[row], row, eos) : eos;
            }

            var held = Array.ConvertAll(inStep, live => !live);
            using (var scope = torch.NewDisposeScope())
            {
                population.State.Append(torch.tensor(sampled), held);
                population.AppendStep(torch.tensor(PopulationDecoder.HistoryColumn(sampled, inStep)));
            }

            for (var row = 0; row < rows; row++)
            {
                if (inStep[row])
                {
                    Advance(row, step, (int)sampled[row]);
                }
            }

            if (request.FirstFinished is { } first)
            {
                PopulationDecoder.StopDecidedRaces(population, finishStep, inStep, first);
            }
        }

        for (var row = 0; row < rows; row++)
        {
            if (done[row])
            {
                population.Texts[row] = TokenText.Complete(population.Texts[row]);
            }
        }

        return new DecodeOutcome(new double[rows], finishStep);

        // The in-process decoder's bookkeeping of one kept token.
        void Advance(int row, int step, int token)
        {
            var group = groupOf[row];
            var options = groups[group].Options;
            population.Lengths[row]++;
            stepTokens[row]++;
            if (token == eos)
            {
                Leave(row, step, ends: true);
                return;
            }

            var text = vocabulary.AppendToken(population.Texts[row], token, out var unchanged);
            var from = Math.Max(stepStart[row], unchanged - longestStop[group] + 1);
            if (longestStop[group] > 0 && PopulationDecoder.FindStop(text, options.Stop, Math.Max(0, from)) is var cut and >= 0)
            {
                population.Texts[row] = request.KeepStop ? text : text.Substring(0, cut);
                Leave(row, step, ends: !request.KeepStop);
                return;
            }

            population.Texts[row] = text;
            if (stepTokens[row] >= options.MaxTokens)
            {
                Leave(row, step, ends: !request.KeepStop);
            }
        }

        void Leave(int row, int step, bool ends)
        {
            inStep[row] = false;
            finishStep[row] = step;
            done[row] |= ends;
        }
    }

    /// <summary>
    /// Per run, the completion tokens the server reported for its rows (the meter counts them as tokens and the round
    /// as one model call); a run whose answers carry no <c>usage</c> counts the tokens returned instead.
    /// </summary>
    private static int[] ServedTokensPerRun(Population population, int[] asked, IReadOnlyList<SampledContinuation> answers)
    {
        var reported = new long[population.Runs];
        var returned = new long[population.Runs];
        for (var i = 0; i < asked.Length; i++)
        {
            var run = population.RunOf(asked[i]);
            reported[run] += answers[i].CompletionTokens;
            returned[run] += Math.Max(1, answers[i].Tokens.Length);
        }

        return Enumerable.Range(0, population.Runs)
            .Select(run => (int)Math.Min(int.MaxValue, reported[run] > 0 ? reported[run] : returned[run]))
            .ToArray();
    }

    /// <summary>Token <paramref name="index"/> of a continuation; past its end, EOS when the server ended it there.</summary>
    private static long TokenAt(SampledContinuation continuation, int index, int row, int eos)
    {
        if (index < continuation.Tokens.Length)
        {
            return continuation.Tokens[index];
        }

        return continuation.EndedAtEos
            ? eos
            : throw new RuntimeException(
                $"row {row}: the server ended its continuation after {continuation.Tokens.Length} tokens without EOS, the token limit or a stop string the client finds in its own text (does ?tokenizer= name the served model's tokenizer?)");
    }
}
