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
            keys[row] = CounterRandom.RowKey(seed, firstRun + population.RunOf(row), stream, population.ParticleNumberOf(row));
        }

        Decode(population, DecodeRequest.AllRows(options, keys), new ArrayMeter(tokensSpent, callsSpent), CancellationToken.None);
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
        if (chooseTokens is null && population.Model is IServerSampler { SamplesOnServer: true } server)
        {
            return request.Forced is null
                ? ServerSampledDecoder.Decode(population, request, meter, cancellation, server)
                : throw new ModelException("particle Gibbs replays its reference particle's tokens through the model, which a server-sampled backend cannot do: use full next-token distributions");
        }

        var rows = population.Rows;
        var groups = request.Groups;
        var groupOf = GroupOfRows(request, rows, population.Model.Vocabulary.Count);
        var eos = population.Model.Vocabulary.EosId;
        var vocabulary = population.Model.Vocabulary;
        var longestStop = groups.Select(g => g.Options.Stop.Count == 0 ? 0 : g.Options.Stop.Max(s => s.Length)).ToArray();
        var maxSteps = groups.Count == 0 ? 0 : groups.Max(g => g.Options.MaxTokens);
        var done = population.Done;
        var inStep = Enumerable.Range(0, rows).Select(row => groupOf[row] >= 0 && !done[row] && groups[groupOf[row]].Options.MaxTokens > 0).ToArray();
        var stepStart = population.Texts.Select(t => t.Length).ToArray();
        var stepTokens = new int[rows];
        var logAllowedMass = new double[rows];
        var tokenLogProbs = request.TrackLogProbs ? new double[rows] : null;
        var finishStep = Enumerable.Repeat(-1, rows).ToArray();

        using var rowKeys = torch.tensor(request.RowKeys, dtype: ScalarType.Int64);
        var masks = groups.Select(g => g.Allowed is null ? null : torch.tensor(g.Allowed).unsqueeze(0).expand(rows, g.Allowed.Length).contiguous()).ToArray();
        try
        {
            var liveRunRows = new int[population.Runs];
            for (var step = 0; step < maxSteps; step++)
            {
                Array.Clear(liveRunRows, 0, liveRunRows.Length);
                for (var row = 0; row < rows; row++)
                {
                    if (inStep[row])
                    {
                        liveRunRows[population.RunOf(row)]++;
                    }
                }

                if (liveRunRows.All(n => n == 0))
                {
                    break;
                }

                cancellation.ThrowIfCancellationRequested();
                long[] sampled;
                double[]? masses;
                using (var scope = torch.NewDisposeScope())
                {
                    var logProbs = population.State.NextLogProbs(cancellation);
                    var held = Array.ConvertAll(inStep, live => !live);
                    Tensor tokens;
                    if (chooseTokens is not null)
                    {
                        tokens = chooseTokens(logProbs, step, held);
                        sampled = tokens.data<long>().ToArray();
                        masses = null;
                    }
                    else if (groups.Count == 1)
                    {
                        tokens = SampleGroup(logProbs, groups[0].Options, masks[0], rowKeys, step, out masses);
                        sampled = tokens.data<long>().ToArray();
                    }
                    else
                    {
                        (sampled, masses) = SampleGroups(logProbs, groups, masks, groupOf, inStep, rowKeys, step);
                        tokens = torch.tensor(sampled);
                    }

                    if (request.Forced is { } forced && Force(sampled, forced, inStep, stepTokens))
                    {
                        tokens = torch.tensor(sampled);
                    }

                    if (tokenLogProbs is not null)
                    {
                        var taken = logProbs.gather(1, tokens.clamp_min(Scalars.FirstToken).unsqueeze(1)).data<double>().ToArray();
                        for (var row = 0; row < rows; row++)
                        {
                            tokenLogProbs[row] += inStep[row] && sampled[row] >= 0 ? taken[row] : 0.0;
                        }
                    }

                    // Only a mask or a token chooser can give NoToken (< 0), which must not reach the embedding; held rows'
                    // tokens are ignored by Append. The history column (pads for held rows) is built on the host from the
                    // tokens already read back, not with three more tensor ops per step.
                    population.State.Append(masses is null && chooseTokens is null ? tokens : tokens.clamp_min(Scalars.FirstToken), held);
                    population.AppendStep(Array.IndexOf(held, true) < 0 ? tokens : torch.tensor(HistoryColumn(sampled, inStep)));
                }

                meter.Step(liveRunRows);
                for (var row = 0; row < rows; row++)
                {
                    if (!inStep[row])
                    {
                        continue;
                    }

                    var group = groupOf[row];
                    var options = groups[group].Options;
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
                    var from = Math.Max(stepStart[row], unchanged - longestStop[group] + 1);
                    if (longestStop[group] > 0 && FindStop(text, options.Stop, Math.Max(0, from)) is var cut and >= 0)
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

                if (request.FirstFinished is { } first)
                {
                    StopDecidedRaces(population, finishStep, inStep, first);
                }

                void Leave(int row, bool ends)
                {
                    inStep[row] = false;
                    finishStep[row] = step;
                    done[row] |= ends;
                }
            }
        }
        finally
        {
            foreach (var mask in masks)
            {
                mask?.Dispose();
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

        return new DecodeOutcome(logAllowedMass, finishStep, tokenLogProbs);
    }

    /// <summary>Replaces the sampled token of every decoding row that replays a path by its next token; whether any was replaced.</summary>
    private static bool Force(long[] sampled, IReadOnlyList<long>?[] forced, bool[] inStep, int[] stepTokens)
    {
        var any = false;
        for (var row = 0; row < sampled.Length; row++)
        {
            if (inStep[row] && forced[row] is { } path)
            {
                sampled[row] = stepTokens[row] < path.Count
                    ? path[stepTokens[row]]
                    : throw new InvalidOperationException($"row {row} replays a path of {path.Count} tokens, but its step asks for more");
                any = true;
            }
        }

        return any;
    }

    /// <summary>[rows] int64 tokens of every row under one group's options (and mask: then also its rows' log allowed masses).</summary>
    private static Tensor SampleGroup(Tensor logProbs, DecodeOptions options, Tensor? mask, Tensor rowKeys, long step, out double[]? masses)
    {
        if (mask is null)
        {
            masses = null;
            return TokenSampler.Sample(logProbs, options.Sampling, rowKeys, step);
        }

        var masked = TokenSampler.SampleMasked(logProbs, options.Sampling, mask, rowKeys, step);
        masses = masked.LogAllowedMass.data<double>().ToArray();
        return masked.Tokens;
    }

    /// <summary>
    /// Rows under different options: each group's law is applied to the whole batch and its own rows are kept. The sampler
    /// treats rows independently (per-row transforms, noise keyed by the row), so a row draws the token it would draw in
    /// a batch of its own group alone.
    /// </summary>
    private static (long[] Tokens, double[]? Masses) SampleGroups(
        Tensor logProbs, IReadOnlyList<DecodeGroup> groups, Tensor?[] masks, int[] groupOf, bool[] inStep, Tensor rowKeys, long step)
    {
        var tokens = new long[groupOf.Length];
        var masses = masks.Any(m => m is not null) ? new double[groupOf.Length] : null;
        for (var group = 0; group < groups.Count; group++)
        {
            if (!Enumerable.Range(0, groupOf.Length).Any(row => inStep[row] && groupOf[row] == group))
            {
                continue;
            }

            var groupTokens = SampleGroup(logProbs, groups[group].Options, masks[group], rowKeys, step, out var groupMasses).data<long>().ToArray();
            for (var row = 0; row < groupOf.Length; row++)
            {
                if (groupOf[row] == group)
                {
                    tokens[row] = groupTokens[row];
                    if (masses is not null)
                    {
                        masses[row] = groupMasses?[row] ?? 0.0;
                    }
                }
            }
        }

        return (tokens, masses);
    }

    /// <summary>The group of each row (−1: held); a row in two groups or a mask of the wrong size is a caller's bug.</summary>
    internal static int[] GroupOfRows(DecodeRequest request, int rows, int vocabularySize)
    {
        if (request.RowKeys.Length != rows)
        {
            throw new ArgumentException($"{rows} rows need as many keys, not {request.RowKeys.Length}.", nameof(request));
        }

        var groupOf = Enumerable.Repeat(-1, rows).ToArray();
        for (var group = 0; group < request.Groups.Count; group++)
        {
            var (_, allowed, members) = request.Groups[group];
            if (members.Length != rows || (allowed is not null && allowed.Length != vocabularySize))
            {
                throw new ArgumentException(
                    $"decode group {group} covers {members.Length} rows of {rows} with a mask of {allowed?.Length ?? vocabularySize} tokens of {vocabularySize}.",
                    nameof(request));
            }

            for (var row = 0; row < rows; row++)
            {
                if (members[row])
                {
                    groupOf[row] = groupOf[row] < 0
                        ? group
                        : throw new ArgumentException($"row {row} is in decode groups {groupOf[row]} and {group}.", nameof(request));
                }
            }
        }

        return groupOf;
    }

    /// <summary>The step's tokens as the population's history records them: <see cref="Population.PadToken"/> for held rows.</summary>
    internal static long[] HistoryColumn(long[] sampled, bool[] inStep)
    {
        var column = new long[sampled.Length];
        for (var row = 0; row < column.Length; row++)
        {
            column[row] = inStep[row] ? sampled[row] : Population.PadToken;
        }

        return column;
    }

    /// <summary>
    /// A race: the rows of a run with <paramref name="first"/> finished rows (or all its rows) stop where they are,
    /// unfinished, as they would if the run raced alone; the other runs race on.
    /// </summary>
    internal static void StopDecidedRaces(Population population, int[] finishStep, bool[] inStep, int first)
    {
        var n = population.ParticlesPerRun;
        for (var run = 0; run < population.Runs; run++)
        {
            var finished = 0;
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                finished += finishStep[row] >= 0 ? 1 : 0;
            }

            if (finished >= Math.Min(first, n))
            {
                Array.Fill(inStep, false, run * n, n);
            }
        }
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
    internal static int FindStop(string text, IReadOnlyList<string> stops, int from)
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
