using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Semantics;

namespace Tts.Testing.Oracle;

/// <summary>
/// The exact law of particle Gibbs (<c>smc ... iterations = K</c>): every random choice of K sweeps of (conditional)
/// SMC with N particles enumerated, as the runtime makes them — per step, every live particle extends and is weighted
/// by the body, then multinomial resampling draws N ancestors i.i.d. from the weights, except that from the second sweep
/// on particle 0 replays the reference (the lineage drawn at the end of the previous sweep) and keeps itself as its
/// ancestor. The loop stops when no particle is live; the weights are then uniform (they reset at every resampling),
/// so the reference and <c>sample(ps)</c> are a uniform pick among the N particles.
/// </summary>
public sealed partial class ExactOracle
{
    private Distribution ParticleGibbsSample(BoundSmcStatement smc, string prompt, int particles, int sweeps, Frame frame)
    {
        if (smc.Body.OfType<BoundParticleUpdate>().Any(u => u.Kind == ParticleUpdateKind.Twist)
            || smc.Body.OfType<BoundExtendStatement>().Any(e => Options(e.Options, frame).Forbid.Count > 0))
        {
            throw new OracleException("the oracle enumerates particle Gibbs without twists and masks");
        }

        var steps = KnownCount(smc.Steps, frame);
        var model = smc.Body.OfType<BoundExtendStatement>().FirstOrDefault()?.Model.Name ?? throw new OracleException("an smc block without extend");
        var start = new GibbsRow(ImmutableList.Create(DecodeLaw.Start(Model(model), prompt)), 0.0);

        // References: the law of the lineage drawn after each sweep (the first sweep has none).
        var references = new Dictionary<string, (GibbsRow Row, double Mass)> { [""] = (start, 1.0) };
        for (var sweep = 0; sweep < sweeps; sweep++)
        {
            var next = new Dictionary<string, (GibbsRow Row, double Mass)>();
            foreach (var (reference, referenceMass) in references.Values)
            {
                var systems = Sweep(smc, Enumerable.Repeat(start, particles).ToImmutableArray(), sweep == 0 ? null : reference, steps, frame);
                foreach (var (rows, mass) in systems.Values)
                {
                    foreach (var row in rows)
                    {
                        var key = row.Key;
                        next[key] = (row, next.GetValueOrDefault(key).Mass + referenceMass * mass / particles);
                    }
                }
            }

            references = next;
        }

        return Distribution.FromMasses(references.Values.Select(r => new KeyValuePair<Outcome, double>(new Outcome(r.Row.History[^1].Text), r.Mass)));
    }

    /// <summary>One sweep from <paramref name="initial"/>: the law of the particle system (ordered rows) when the loop ends.</summary>
    private Dictionary<string, (ImmutableArray<GibbsRow> Rows, double Mass)> Sweep(
        BoundSmcStatement smc, ImmutableArray<GibbsRow> initial, GibbsRow? reference, long steps, Frame frame)
    {
        var systems = new Dictionary<string, (ImmutableArray<GibbsRow> Rows, double Mass)> { [SystemKey(initial)] = (initial, 1.0) };
        for (var step = 0; step < steps; step++)
        {
            var next = new Dictionary<string, (ImmutableArray<GibbsRow> Rows, double Mass)>();
            foreach (var (rows, mass) in systems.Values)
            {
                if (rows.All(r => r.Ended))
                {
                    Add(next, rows, mass);
                    continue;
                }

                var choices = rows.Select((row, i) => RowStep(smc, row, i == 0 ? reference : null, step, frame)).ToList();
                foreach (var (children, probability) in Product(choices))
                {
                    Resample(children, reference is not null, mass * probability, next);
                }
            }

            systems = next;
            if (systems.Count > DecodeLaw.MaxPaths)
            {
                throw new OracleException($"more than {DecodeLaw.MaxPaths} particle systems: too large for exact enumeration");
            }
        }

        return systems;
    }

    /// <summary>One particle's step: ended ones stay (weight 0); the reference takes its lineage's next state; others branch (a condition's failures die).</summary>
    private List<(GibbsRow Row, double Probability)> RowStep(BoundSmcStatement smc, GibbsRow row, GibbsRow? reference, int step, Frame frame)
    {
        var state = row.History[^1];
        if (row.Ended)
        {
            return [(row with { LogWeight = 0.0 }, 1.0)];
        }

        var branches = new List<(ParticleState State, double Mass, double LogWeight)> { (state, 1.0, 0.0) };
        var lets = new Dictionary<LocalSymbol, BoundExpression>(frame.PerParticleLets);
        foreach (var statement in smc.Body)
        {
            branches = StepBranches(statement, branches, smc.Population, frame, lets);
        }

        if (reference is not null)
        {
            var forced = reference.History[Math.Min(step + 1, reference.History.Count - 1)];
            var match = branches.Where(b => StateKey(b.State) == StateKey(forced)).ToList();
            return match.Count == 1
                ? [(new GibbsRow(row.History.Add(forced), match[0].LogWeight), 1.0)]
                : throw new OracleException("the reference particle's next state is not a branch of its step");
        }

        var result = branches.Select(b => (new GibbsRow(row.History.Add(b.State), b.LogWeight), b.Mass)).ToList();
        var dead = 1.0 - branches.Sum(b => b.Mass);
        if (dead > 1e-15)
        {
            result.Add((new GibbsRow(row.History.Add(state), double.NegativeInfinity), dead));
        }

        return result;
    }

    /// <summary>Multinomial resampling of one system: N i.i.d. ancestors from the weights, particle 0 kept when conditional.</summary>
    private static void Resample(ImmutableArray<GibbsRow> rows, bool conditional, double mass, Dictionary<string, (ImmutableArray<GibbsRow> Rows, double Mass)> into)
    {
        var max = rows.Max(r => r.LogWeight);
        if (double.IsNegativeInfinity(max))
        {
            throw new OracleException("every particle of a particle Gibbs sweep can die: the oracle does not enumerate a sweep that leaves no reference");
        }

        var weights = rows.Select(r => Math.Exp(r.LogWeight - max)).ToArray();
        var total = weights.Sum();
        var ancestors = rows.Select((_, i) => conditional && i == 0
            ? new List<(GibbsRow, double)> { (rows[0] with { LogWeight = 0.0 }, 1.0) }
            : rows.Select((r, a) => (r with { LogWeight = 0.0 }, weights[a] / total)).Where(c => c.Item2 > 0.0).ToList()).ToList();
        foreach (var (resampled, probability) in Product(ancestors))
        {
            Add(into, resampled, mass * probability);
        }
    }

    private static IEnumerable<(ImmutableArray<GibbsRow> Rows, double Probability)> Product(List<List<(GibbsRow Row, double Probability)>> choices)
    {
        IEnumerable<(ImmutableArray<GibbsRow>, double)> partial = [(ImmutableArray<GibbsRow>.Empty, 1.0)];
        foreach (var choice in choices)
        {
            var current = partial;
            partial = current.SelectMany(p => choice.Select(c => (p.Item1.Add(c.Row), p.Item2 * c.Probability)));
        }

        return partial;
    }

    private static void Add(Dictionary<string, (ImmutableArray<GibbsRow> Rows, double Mass)> systems, ImmutableArray<GibbsRow> rows, double mass)
    {
        var key = SystemKey(rows);
        systems[key] = (rows, systems.TryGetValue(key, out var existing) ? existing.Mass + mass : mass);
    }

    private static string SystemKey(ImmutableArray<GibbsRow> rows) => string.Join(" / ", rows.Select(r => r.Key + "@" + r.LogWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    private static string StateKey(ParticleState state) => $"{string.Join(",", state.Context)}|{state.Generated}|{state.Ended}";

    /// <summary>A particle of an enumerated sweep: its lineage (its state after every step so far) and its log-weight since the last resampling.</summary>
    private sealed record GibbsRow(ImmutableList<ParticleState> History, double LogWeight)
    {
        public bool Ended => History[^1].Ended || double.IsNegativeInfinity(LogWeight);

        public string Key => string.Join(";", History.Select(StateKey));
    }
}
