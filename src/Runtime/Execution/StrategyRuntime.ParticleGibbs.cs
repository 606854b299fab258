using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;

namespace Tts.Runtime.Execution;

/// <summary>Particle Gibbs: iterated conditional SMC (<see cref="Compiler.IR.IrParticleGibbs"/>).</summary>
public sealed partial class StrategyRuntime
{
    /// <summary>The reference particle of each population in a conditional sweep (read by Extend and Resample).</summary>
    private readonly Dictionary<Population, GibbsReference> _gibbsReferences = new();

    /// <summary>
    /// <paramref name="iterations"/> sweeps of the smc loop (steps numbered on from sweep to sweep, so each sweep draws
    /// fresh randomness; one sweep is exactly a plain smc block). Each sweep after the first starts from a copy of the
    /// starting population, with particle 0 of every run replaying the reference: the particle the previous sweep's
    /// weights drew, as <c>sample</c> draws (uniform key of stream <paramref name="stream"/>, counter = the sweep).
    /// </summary>
    public Population ParticleGibbs(Population population, RunValues steps, RunValues iterations, int stream, Func<int, Population, Population> body)
    {
        var limit = LoopBound("steps", steps);
        var sweeps = LoopBound("iterations", iterations);
        if (sweeps < 1)
        {
            throw new RuntimeException($"iterations must be at least 1, but it is {sweeps}");
        }

        if (population.Steps > 0)
        {
            throw new RuntimeException(
                "particle Gibbs (smc with iterations) starts every sweep from the spawned prompt: the population must come straight from spawn, with nothing generated yet");
        }

        var n = population.ParticlesPerRun;
        var allRows = Enumerable.Range(0, population.Rows).Select(r => (long)r).ToArray();
        var start = sweeps > 1 ? Own(population.Copy(allRows, n)) : population;
        var current = Sweep(population, limit, 0, body);
        for (var sweep = 1; sweep < sweeps; sweep++)
        {
            var reference = DrawReference(current, stream, sweep);
            current = Own(start.Copy(allRows, n));
            _gibbsReferences[current] = reference;
            try
            {
                current = Sweep(current, limit, checked(sweep * limit), body);
            }
            finally
            {
                _gibbsReferences.Remove(current);
            }
        }

        return current;
    }

    /// <summary>Per run, a particle drawn from the sweep's weights (as <c>sample</c> draws one), and its generated tokens.</summary>
    private GibbsReference DrawReference(Population population, int stream, int sweep)
    {
        var n = population.ParticlesPerRun;
        var logWeights = population.LogWeights.data<double>().ToArray();
        var tokens = new long[Runs][];
        for (var run = 0; run < Runs; run++)
        {
            var u = CounterRandom.Uniform(RowKey(run, stream, 0), sweep, 0);
            var particle = SampleParticle(new ArraySegment<double>(logWeights, run * n, n), u)
                           ?? throw new RuntimeException($"run {RunIndexOf(run)}: every particle of the particle Gibbs sweep is dead, so no reference can be drawn");
            using var row = population.Tokens[run * n + particle];
            tokens[run] = row.data<long>().Take(population.Steps).Where(t => t != Population.PadToken).ToArray();
        }

        return new GibbsReference(tokens);
    }

    /// <summary>
    /// The reference of each run: its token sequence (EOS included when it ended) and how much of it the sweep has
    /// replayed. Replaying the tokens through the same extend options ends each step where the reference's step ended.
    /// </summary>
    private sealed class GibbsReference(long[][] tokens)
    {
        private readonly int[] _replayed = new int[tokens.Length];

        /// <summary>Per row: the tokens particle 0 of each run must take next; null for the other rows.</summary>
        public IReadOnlyList<long>?[] Forced(Population population)
        {
            var forced = new IReadOnlyList<long>?[population.Rows];
            for (var run = 0; run < population.Runs; run++)
            {
                forced[run * population.ParticlesPerRun] = new ArraySegment<long>(tokens[run], _replayed[run], tokens[run].Length - _replayed[run]);
            }

            return forced;
        }

        /// <summary>Moves each run past the tokens its reference row took in this decode.</summary>
        public void Advance(Population population, int[] lengthsBefore)
        {
            for (var run = 0; run < population.Runs; run++)
            {
                var row = run * population.ParticlesPerRun;
                _replayed[run] += population.Lengths[row] - lengthsBefore[row];
            }
        }
    }
}
