using System.Collections.Immutable;
using System.Globalization;
using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Syntax.Nodes;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using Tts.Semantics;

namespace Tts.Testing.Oracle;

/// <summary>The exact law of <c>search</c> blocks: every path of a tree enumerated, each step's branches with their mass.</summary>
public sealed partial class ExactOracle
{
    /// <summary>
    /// <c>search</c>: which nodes survive depends on the scores of all of them, so the law of the kept nodes is not
    /// enumerated; every node is a path of at most <c>steps</c> extend steps from the spawned prompt that no
    /// condition killed. Its target, as for every heuristic selection, is the law of the particles it selects from
    /// (one path run for every step, as an exact claim would need); its reachable law adds the paths stopped earlier
    /// (best-first leaves nodes unexpanded), for support checks.
    /// </summary>
    private PopulationLaw Search(BoundSearchStatement search, Frame frame)
    {
        var start = frame.Population(search.Population);
        if (start.SpawnPrompt is null)
        {
            throw new OracleException($"the oracle enumerates search only over a spawned population, and '{search.Population.Name}' was not spawned");
        }

        var steps = KnownCount(search.Steps, frame);
        var reachable = new Dictionary<Outcome, double> { [new Outcome("")] = 1.0 };
        List<(ParticleState State, double Mass, double LogWeight)>? firstStep = null;
        var paths = EnumeratePaths("search", search.Body, search.Population, start.SpawnPrompt, steps, frame, onStep: stepPaths =>
        {
            foreach (var (state, mass, _) in stepPaths)
            {
                reachable[new Outcome(state.Text)] = reachable.GetValueOrDefault(new Outcome(state.Text)) + mass;
            }

            firstStep ??= stepPaths.ToList();
        });

        var final = Distribution.FromMasses(paths.Select(p => new KeyValuePair<Outcome, double>(new Outcome(p.State.Text), p.Mass)));
        return new PopulationLaw(null, KnownCount(search.Width, frame, "width"), final, null, Distribution.FromMasses(reachable), OneStep(search, start, firstStep, frame));
    }

    /// <summary>
    /// Every path of one particle through a block's body (<paramref name="block"/>: "smc" or "search"), step by step
    /// until <paramref name="steps"/> or every path ended, each with its probability mass and log-weight;
    /// <paramref name="onStep"/> sees the paths after each step.
    /// </summary>
    private List<(ParticleState State, double Mass, double LogWeight)> EnumeratePaths(
        string block, IReadOnlyList<BoundStatement> body, LocalSymbol population, string prompt, long steps, Frame frame,
        Action<List<(ParticleState State, double Mass, double LogWeight)>>? onStep)
    {
        var initialModel = body.OfType<BoundExtendStatement>().FirstOrDefault()?.Model.Name
                           ?? throw new OracleException($"a {block} block without extend");
        var paths = new List<(ParticleState State, double Mass, double LogWeight)> { (DecodeLaw.Start(Model(initialModel), prompt), 1.0, 0.0) };
        for (var step = 0; step < steps && paths.Any(p => !p.State.Ended); step++)
        {
            var next = new List<(ParticleState, double, double)>();
            foreach (var path in paths)
            {
                if (path.State.Ended)
                {
                    next.Add(path);
                    continue;
                }

                var branches = new List<(ParticleState State, double Mass, double LogWeight)> { path };
                var lets = new Dictionary<LocalSymbol, BoundExpression>(frame.PerParticleLets);
                foreach (var statement in body)
                {
                    branches = StepBranches(statement, branches, population, frame, lets);
                }

                next.AddRange(branches);
            }

            paths = next;
            if (paths.Count > DecodeLaw.MaxPaths)
            {
                throw new OracleException($"more than {DecodeLaw.MaxPaths} {block} paths: too large for exact enumeration");
            }

            onStep?.Invoke(paths);
        }

        return paths;
    }

    /// <summary>
    /// The tiny case whose law is exact: beam or diverse search from one spawned prompt, no condition, and every child
    /// ended by its first extend (EOS or max_tokens). Then the search stops after one step holding, per group, the
    /// <c>width</c> best of <c>expand</c> i.i.d. children (by score, ties to the lower row), so any selection by the
    /// score sees the best of groups·expand i.i.d. draws.
    /// </summary>
    private OneStepSearch? OneStep(BoundSearchStatement search, PopulationLaw start, List<(ParticleState State, double Mass, double LogWeight)>? firstStep, Frame frame)
    {
        var score = search.Body.OfType<BoundParticleUpdate>().Where(u => u.Kind == ParticleUpdateKind.Score).Select(u => u.Value).FirstOrDefault();
        if (search.Method is SearchMethod.BestFirst or SearchMethod.Mcts or SearchMethod.Puct || start.Count != 1 || firstStep is null || score is null
            || !firstStep.All(p => p.State.Ended) || search.Body.OfType<BoundParticleUpdate>().Any(u => u.Kind == ParticleUpdateKind.Condition))
        {
            return null;
        }

        var groups = search.Method == SearchMethod.DiverseBeam ? KnownCount(search.Groups, frame, "groups") : 1;
        var child = Distribution.FromMasses(firstStep.Select(p => new KeyValuePair<Outcome, double>(new Outcome(p.State.Text), p.Mass)));
        var lets = new Dictionary<LocalSymbol, BoundExpression>(frame.PerParticleLets);
        return new OneStepSearch(child, groups * KnownCount(search.Expand, frame, "expand"),
            o => ToDouble(PerParticle(score, frame, search.Population, (string)o.Value!, lets)));
    }

    private List<(ParticleState State, double Mass, double LogWeight)> StepBranches(
        BoundStatement statement, List<(ParticleState State, double Mass, double LogWeight)> branches, LocalSymbol population, Frame frame,
        Dictionary<LocalSymbol, BoundExpression> lets)
    {
        switch (statement)
        {
            case BoundExtendStatement extend:
            {
                var model = Model(extend.Model.Name);
                var options = Options(extend.Options, frame);
                var result = new List<(ParticleState, double, double)>();
                foreach (var (state, mass, logWeight) in branches)
                {
                    foreach (var (child, p) in DecodeLaw.Step(model, state, options, renormalizeMask: false, cutAtStop: false))
                    {
                        RecordStep(child, state);
                        result.Add((child, mass * p, logWeight));
                    }
                }

                return result;
            }

            case BoundReextendStatement reextend:
                return Reextend(reextend, branches, population, frame, lets);
            case BoundParticleUpdate update:
            {
                var result = new List<(ParticleState, double, double)>();
                foreach (var (state, mass, logWeight) in branches)
                {
                    var value = PerParticle(update.Value, frame, population, state.Text, lets, state);
                    switch (update.Kind)
                    {
                        case ParticleUpdateKind.Factor:
                            result.Add((state, mass, logWeight + ToDouble(value)));
                            break;
                        case ParticleUpdateKind.Observe:
                            result.Add((state, mass, logWeight + Math.Log(ToDouble(value))));
                            break;
                        case ParticleUpdateKind.Condition:
                            if ((bool)value)
                            {
                                result.Add((state, mass, logWeight));
                            }
                            else if (mass > 0.0)
                            {
                                _conditionKilled = true;
                            }

                            break;
                        default:
                            // twist: steers resampling only; its contributions telescope out of the final weights.
                            result.Add((state, mass, logWeight));
                            break;
                    }
                }

                return result;
            }

            case BoundLetStatement let when let.Value.IsPerParticle:
                lets[let.Local] = let.Value;
                return branches;
            default:
                throw new OracleException($"the oracle has no law for `{Describe(statement)}` inside smc");
        }
    }
}
