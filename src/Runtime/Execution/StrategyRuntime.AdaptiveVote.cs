using Tts.Runtime.Decoding;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// <c>adaptive_vote</c>: the majority vote of up to n draws per run, drawn <paramref name="wave"/> particles at a time in
    /// particle order, with the row keys a full <c>sample</c> of n uses, so every draw made is the draw the full sample
    /// makes. A run stops once <see cref="VoteStopping.IsDecided"/> holds, which makes its result the full vote's; the
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
        var rowKeys = new long[population.Rows];
        for (var row = 0; row < rowKeys.Length; row++)
        {
            rowKeys[row] = RowKey(population.RunOf(row), stream, population.ParticleNumberOf(row));
        }

        var votes = Enumerable.Range(0, Runs).Select(_ => new List<object>()).ToArray();
        var drawn = new int[Runs];
        var open = Enumerable.Range(0, Runs).Where(run => n > 0).ToList();
        while (open.Count > 0)
        {
            var active = new bool[population.Rows];
            foreach (var run in open)
            {
                for (var particle = drawn[run]; particle < Math.Min(n, drawn[run] + waveSize); particle++)
                {
                    active[run * n + particle] = true;
                }
            }

            var outcome = PopulationDecoder.Decode(population, new DecodeRequest(DecodeGroups(population, options, active), rowKeys), Meter, Cancellation);
            var rows = Enumerable.Range(0, population.Rows).Where(r => active[r] && !double.IsNegativeInfinity(outcome.LogAllowedMass[r])).ToArray();
            var keys = VoteKeys(rows.Select(r => population.Texts[r]).ToList(), rows.Select(population.RunOf).ToArray(), answer, extractor);
            for (var i = 0; i < rows.Length; i++)
            {
                votes[population.RunOf(rows[i])].Add(keys[i]);
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
