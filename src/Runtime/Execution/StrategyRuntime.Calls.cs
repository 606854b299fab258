using Tts.Semantics;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// <c>repeat(k, call)</c>: member j of run r runs as sub-run r·k + j (of the run's index), all members of all runs in
    /// one batch, streams keyed under <paramref name="stream"/>'s final key; the members' outputs become a population of texts, and a
    /// member with no output is a dead particle (log weight −∞).
    /// </summary>
    public Populations.Population Repeat(RunValues count, int stream, Func<StrategyRuntime, Func<BatchValue, BatchValue>, RunValues> member)
    {
        var k = LoopBound("repeat", count);
        if (k < 1)
        {
            throw new RuntimeException($"repeat needs a count of at least 1, but it is {k}");
        }

        CheckedParticleCount("repeat", k);

        var parentRun = Enumerable.Range(0, Runs * k).Select(i => i / k).ToArray();
        var runIndices = parentRun.Select((run, i) => checked(_runIndices[run] * k + i % k)).ToArray();
        var outputs = member(SubBatch(parentRun, runIndices, Stream(stream)), value => Project(value, parentRun));
        // A member that gave no output (a rejection sampler that accepted nothing) is absent: a dead particle, which
        // every selection skips, so the live members stay i.i.d. draws of the callee's law given that it gave output.
        var perRun = outputs.PerRun;
        var texts = perRun.Select(o => o?.ToString() ?? "").ToList();
        var population = Populations.Population.FromTexts(texts, Runs);
        population.Discard(Enumerable.Range(0, perRun.Length).Where(i => perRun[i] is null).ToList());
        return Own(population);
    }

    /// <summary>
    /// <c>refine</c>: each round, the runs whose <paramref name="until"/> does not hold yet replace their value by
    /// <paramref name="step"/>'s; round i's step (until) runs as a sub-batch of those runs with streams keyed under
    /// Nest(K, 2i) (Nest(K, 2i + 1)), K the final key of <paramref name="stream"/>.
    /// </summary>
    public RunValues Refine(
        RunValues initial,
        RunValues rounds,
        int stream,
        Func<StrategyRuntime, Func<BatchValue, BatchValue>, RunValues, RunValues> step,
        Func<StrategyRuntime, Func<BatchValue, BatchValue>, RunValues, RunValues>? until)
    {
        var current = (object?[])initial.PerRun.Clone();
        var refining = Enumerable.Range(0, Runs).Where(run => current[run] is not null).ToArray();
        var limit = LoopBound("rounds", rounds);
        for (var round = 0; round < limit && refining.Length > 0; round++)
        {
            if (until is not null)
            {
                var done = Round(refining, RoundStream(stream, 2 * round + 1), until, current);
                refining = refining.Where((_, i) => done[i] is not true).ToArray();
                if (refining.Length == 0)
                {
                    break;
                }
            }

            var next = Round(refining, RoundStream(stream, 2 * round), step, current);
            for (var i = 0; i < refining.Length; i++)
            {
                current[refining[i]] = next[i];
            }

            refining = refining.Where(run => current[run] is not null).ToArray();
        }

        return new RunValues(current);
    }

    private int RoundStream(int stream, int round) => StreamKeys.Nest(Stream(stream), round);

    private object?[] Round(int[] runs, int stream, Func<StrategyRuntime, Func<BatchValue, BatchValue>, RunValues, RunValues> body, object?[] current)
    {
        var sub = SubBatch(runs, runs.Select(run => _runIndices[run]).ToArray(), stream);
        return body(sub, value => Project(value, runs), new RunValues(runs.Select(run => current[run]).ToArray())).PerRun;
    }

    /// <summary>A value of this batch seen from a sub-batch whose run i is this batch's run <paramref name="parentRun"/>[i].</summary>
    private static BatchValue Project(BatchValue value, int[] parentRun) => value switch
    {
        RunValues single => new RunValues(parentRun.Select(run => single[run]).ToArray()),
        _ => throw new RuntimeException(
            "a repeat member or refine round reads a population (or a value per particle) from outside it; pass the strategy a text instead"),
    };
}
