using Tts.Runtime.Populations;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

/// <summary>Monte Carlo tree search over steps (<c>search ... method = mcts</c>), one <see cref="MctsTree"/> per run.</summary>
public sealed partial class StrategyRuntime
{
    /// <summary>Per population in a PUCT step: each row's mean log-probability per token of the step it just took (filled by Extend).</summary>
    private readonly Dictionary<Population, double[]> _stepLogPriors = new();

    /// <summary>
    /// <paramref name="simulations"/> simulations. In each, every run selects a node of its tree (<see cref="MctsTree.Select"/>);
    /// a copy of the node (a padding copy, discarded, for a run that selected a terminal node) is one row of a population
    /// of one row per run, on which the body runs, so all runs' new children are extended and scored as one batch. A
    /// child's score is its value, backed up to the root; a terminal node selected again backs up its own score. Every
    /// node stays in the population as a particle (its tree order); the root rows are discarded at the end. With
    /// <paramref name="usePrior"/> (PUCT), a new node's prior is the mean log-probability per token of its step under the
    /// policy that extended it.
    /// </summary>
    /// <remarks>
    /// The population is laid out once with room for every node (particle s + 1 of a run is simulation s's node or
    /// padding), and each simulation copies only the selected rows out and writes the new rows into their particles, so
    /// a search costs what its simulations decode, not the square of their number. A simulation's row draws as particle
    /// s + 1 of the whole population (<see cref="Population.ParticleOffset"/>).
    /// </remarks>
    private Population Mcts(Population population, int expand, double explore, int simulations, Func<int, Population, Population> body, bool usePrior)
    {
        if (population.ParticlesPerRun != 1)
        {
            throw new RuntimeException($"mcts grows one tree per run from one node, but the population holds {population.ParticlesPerRun} particles per run: spawn(1, ...)");
        }

        if (expand < 1 || !(explore >= 0.0) || double.IsInfinity(explore))
        {
            throw new RuntimeException($"mcts needs expand of at least 1 and a finite explore of at least 0, but they are {expand} and {Constants.Format(explore)}");
        }

        var trees = Enumerable.Range(0, Runs).Select(_ => new MctsTree(expand, explore, usePrior)).ToArray();
        var rowOf = Enumerable.Range(0, Runs).Select(_ => new List<int> { 0 }).ToArray();
        var nodes = checked(simulations + 1);
        population.Gather(Enumerable.Range(0, Runs).SelectMany(run => Enumerable.Repeat((long)run, nodes)).ToArray(), nodes);
        for (var step = 0; step < simulations; step++)
        {
            var selected = trees.Select(t => t.Select()).ToArray();
            var particles = new long[Runs];
            for (var run = 0; run < Runs; run++)
            {
                particles[run] = run * nodes + rowOf[run][selected[run].Node];
            }

            var simulation = population.Copy(particles, 1);
            try
            {
                simulation.ParticleOffset = step + 1;
                var padding = Enumerable.Range(0, Runs).Where(run => !selected[run].Expanding).ToList();
                foreach (var row in padding)
                {
                    simulation.Scores[row] = double.NegativeInfinity;
                }

                simulation.Discard(padding);
                _stepRows[simulation] = selected.Select(s => s.Expanding).ToArray();
                var priors = usePrior ? _stepLogPriors[simulation] = new double[Runs] : null;
                var stepped = body(step, simulation);
                Backup(stepped, step, selected, trees, rowOf, priors);
                population.WriteRows(Enumerable.Range(0, Runs).Select(run => (long)(run * nodes + step + 1)).ToArray(), stepped);
            }
            finally
            {
                _stepRows.Remove(simulation);
                _stepLogPriors.Remove(simulation);
                _stepMarks.Remove(simulation);
                simulation.Dispose();
            }
        }

        population.Discard(Enumerable.Range(0, Runs).Select(run => run * nodes).ToList());
        return population;
    }

    /// <summary>One simulation's backup: each run's new child (row run of <paramref name="simulation"/>) joins its tree as particle step + 1.</summary>
    private void Backup(Population simulation, int step, (int Node, bool Expanding)[] selected, MctsTree[] trees, List<int>[] rowOf, double[]? priors)
    {
        var dead = simulation.Dead();
        for (var run = 0; run < Runs; run++)
        {
            var (node, expanding) = selected[run];
            var tree = trees[run];
            if (!expanding)
            {
                if (tree.IsTerminal(node) && node != 0)
                {
                    tree.Backup(node, tree.Score(node));
                }

                continue;
            }

            var score = simulation.Scores[run];
            if (!dead[run] && !double.IsFinite(score))
            {
                throw new RuntimeException($"run {RunIndexOf(run)}: mcts backs up scores, which must be finite, but a node scored {Constants.Format(score)}");
            }

            var child = tree.AddChild(node, score, simulation.Done[run], dead[run], priors?[run] ?? 0.0);
            rowOf[run].Add(step + 1); // tree node `child` is particle step + 1 of the run
            System.Diagnostics.Debug.Assert(rowOf[run].Count == child + 1);
            if (!dead[run])
            {
                tree.Backup(child, score);
            }
        }
    }
}
