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
    /// a copy of the node is appended as a new row (a padding row, discarded, for a run that selected a terminal node)
    /// and only the new rows take part in the body, so all runs' new children are extended and scored as one batch.
    /// A child's score is its value, backed up to the root; a terminal node selected again backs up its own score. Every
    /// node stays in the population as a particle (its tree order); the root rows are discarded at the end. With
    /// <paramref name="usePrior"/> (PUCT), a new node's prior is the mean log-probability per token of its step under the
    /// policy that extended it.
    /// </summary>
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
        for (var step = 0; step < simulations; step++)
        {
            var n = population.ParticlesPerRun;
            var selected = trees.Select(t => t.Select()).ToArray();
            var rows = new List<long>();
            var active = new List<bool>();
            for (var run = 0; run < Runs; run++)
            {
                rows.AddRange(Enumerable.Range(run * n, n).Select(r => (long)r));
                active.AddRange(Enumerable.Repeat(false, n));
                rows.Add(run * n + rowOf[run][selected[run].Node]);
                active.Add(selected[run].Expanding);
            }

            population.Gather(rows.ToArray(), n + 1);
            var padding = Enumerable.Range(0, Runs).Where(run => !selected[run].Expanding).Select(run => run * (n + 1) + n).ToList();
            foreach (var row in padding)
            {
                population.Scores[row] = double.NegativeInfinity;
            }

            population.Discard(padding);
            _stepRows[population] = active.ToArray();
            var priors = usePrior ? _stepLogPriors[population] = new double[population.Rows] : null;
            population = body(step, population);
            _stepRows.Remove(population);
            _stepLogPriors.Remove(population);

            var dead = population.Dead();
            for (var run = 0; run < Runs; run++)
            {
                var (node, expanding) = selected[run];
                var tree = trees[run];
                var row = run * (n + 1) + n;
                if (!expanding)
                {
                    if (tree.IsTerminal(node) && node != 0)
                    {
                        tree.Backup(node, tree.Score(node));
                    }

                    continue;
                }

                var score = population.Scores[row];
                if (!dead[row] && !double.IsFinite(score))
                {
                    throw new RuntimeException($"run {RunIndexOf(run)}: mcts backs up scores, which must be finite, but a node scored {Constants.Format(score)}");
                }

                var child = tree.AddChild(node, score, population.Done[row], dead[row], priors?[row] ?? 0.0);
                rowOf[run].Add(n); // tree node `child` is particle n of the run
                System.Diagnostics.Debug.Assert(rowOf[run].Count == child + 1);
                if (!dead[row])
                {
                    tree.Backup(child, score);
                }
            }
        }

        population.Discard(Enumerable.Range(0, Runs).Select(run => run * population.ParticlesPerRun).ToList());
        return population;
    }
}
