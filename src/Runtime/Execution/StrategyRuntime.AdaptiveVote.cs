using Tts.Runtime.Decoding;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// <c>adaptive_vote</c>: the majority vote of up to n draws per run, drawn <paramref name="wave"/> particles at a time in
    /// particle order, with the row keys a full <c>sample</c> of n uses, so every draw made is the draw the full sample
    /// makes. Each wave decodes a copy of its own prompt rows only, so a wave of w costs w rows per run, not n. A run
    /// stops once <see cref="VoteStopping.IsDecided"/> holds, which makes its result the full vote's; the
    /// draws it does not make are tokens and model calls saved. Dead draws (a mask left no token) do not vote.
    /// </summary>
    public RunValues AdaptiveVote(RunValues count, string model, RunValues prompt, OptionValues options, RunValues wave, bool answer, string? extractor, int stream)
    {
        var waveSize = LoopBound("wave", wave);
        if (waveSize < 1)
        {
            throw new RuntimeException("adaptive_vote needs a wave of at least 1");
        }

        var population = Prefill(count, model, prompt, shared: true);
        var n = population.ParticlesPerRun;
        var rowKeys = RowKeys(population, stream);

        var votes = Enumerable.Range(0, Runs).Select(_ => new List<object>()).ToArray();
        var drawn = new int[Runs];
        var open = Enumerable.Range(0, Runs).Where(run => n > 0).ToList();
        var width = Math.Min(waveSize, n);
        while (open.Count > 0)
        {
            // Only the wave's draws go through the model: a copy of their prompt rows, `width` per run (a closed run's
            // rows held), so a wave costs its own rows, not all n of every run.
            var isOpen = new bool[Runs];
            open.ForEach(run => isOpen[run] = true);
            var sources = new long[Runs * width];
            var active = new bool[sources.Length];
            var waveKeys = new long[sources.Length];
            for (var run = 0; run < Runs; run++)
            {
                for (var i = 0; i < width; i++)
                {
                    var particle = drawn[run] + i;
                    var draws = isOpen[run] && particle < n;
                    var source = run * n + (draws ? particle : 0);
                    sources[run * width + i] = source;
                    active[run * width + i] = draws;
                    waveKeys[run * width + i] = rowKeys[source];
                }
            }

            using var drawing = population.Copy(sources, width);
            var outcome = PopulationDecoder.Decode(drawing, new DecodeRequest(DecodeGroups(drawing, options, active), waveKeys), Meter, Cancellation);
            var rows = Enumerable.Range(0, drawing.Rows).Where(r => active[r] && !double.IsNegativeInfinity(outcome.LogAllowedMass[r])).ToArray();
            var keys = VoteKeys(rows.Select(r => drawing.Texts[r]).ToList(), rows.Select(drawing.RunOf).ToArray(), answer, extractor);
            for (var i = 0; i < rows.Length; i++)
            {
                votes[drawing.RunOf(rows[i])].Add(keys[i]);
            }

            foreach (var run in open)
            {
                drawn[run] = Math.Min(n, drawn[run] + waveSize);
            }

            open = open.Where(run => !VoteStopping.IsDecided(votes[run], n - drawn[run])).ToList();
        }

        return new RunValues(votes.Select(v => VoteStopping.Leader(v, out _, out _)).ToArray());
    }

    /// <summary>What each draw votes for: its text, its answer, or an extractor's value (one batched call, metered).</summary>
    private IReadOnlyList<object> VoteKeys(List<string> texts, int[] runOfText, bool answer, string? extractor)
    {
        if (extractor is null)
        {
            return answer ? texts.Select(t => (object)AnswerExtraction.Extract(t)).ToList() : texts;
        }

        IReadOnlyList<string> extracted;
        using (Rewards.FunctionCallContext.Enter(runOfText.Select(TopRunOf).ToArray()))
        {
            extracted = Functions.Extractor(extractor).Extract(texts);
        }

        Meter.Rewards(CountPerRun(runOfText));
        return extracted.Cast<object>().ToList();
    }
}
