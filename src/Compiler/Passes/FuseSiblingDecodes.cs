using System.Collections.Immutable;
using Tts.Compiler.IR;

namespace Tts.Compiler.Passes;

/// <summary>
/// Fuses sibling decodes — the branches of a <c>fork</c>, two independent <c>sample</c>s, inlined calls side by side —
/// into one batched decode. As lowered, each decode runs its own loop of model steps, one after the other; decodes in
/// the same body on the same model with the same options, neither reading the other's result, can run as one loop
/// over the rows of both: one model step per token for all of them instead of one per token per decode.
/// <para>
/// The fused <see cref="IrFusedDecode"/> takes the place of the last sibling and returns a tuple; each sibling's
/// result becomes an <see cref="IrProject"/> of it, so every use reads the same value id as before. That is legal
/// because nothing between the first sibling and the last reads an earlier sibling's result (else the group closes),
/// and moving a decode later changes no draw: every row keeps its own decode's stream, and randomness is keyed by
/// (seed, run, stream, particle, token step), not by position in the batch or in the program. Tokens and reward
/// calls are unchanged; model calls drop.
/// </para>
/// <para>
/// Not fused: races (<c>first</c> stops on a count of finished rows per run of its own population), and options that
/// differ (the decoder takes one set of options per batch). Options are the same when each is the same value or
/// constants of equal value. Extends need no fusing: an smc or search body extends only its own population.
/// </para>
/// </summary>
public sealed class FuseSiblingDecodes : IIrPass
{
    public string Name => "fuse-sibling-decodes";

    public IrFunction Run(IrFunction function, IrModule module)
    {
        // Value ids are unique in a function, so one table of its constants serves every body.
        var constants = IrTree.All(function.Instructions).OfType<IrConstant>().ToDictionary(c => c.Result!.Id, c => c.Value);
        var state = new State(constants, function.NextValueId);
        return function with { Instructions = state.FuseBody(function.Instructions) };
    }

    private sealed class State(IReadOnlyDictionary<int, object> constants, int nextId)
    {
        private int _nextId = nextId;

        public ImmutableArray<IrInstruction> FuseBody(ImmutableArray<IrInstruction> original)
        {
            var body = original.Select(i => i.MapRegions(r => r with { Body = FuseBody(r.Body) })).ToList();
            var groups = FindGroups(body);
            var fusedAt = groups.Where(g => g.Members.Count > 1).ToDictionary(g => g.Members[^1], g => g);
            var absorbed = new HashSet<int>(fusedAt.Values.SelectMany(g => g.Members.Take(g.Members.Count - 1)));

            var output = new List<IrInstruction>();
            for (var index = 0; index < body.Count; index++)
            {
                if (absorbed.Contains(index))
                {
                    continue;
                }

                if (!fusedAt.TryGetValue(index, out var group))
                {
                    output.Add(body[index]);
                    continue;
                }

                var decodes = group.Members.Select(m => (IrDecode)body[m]).ToList();
                var tuple = new IrValue(_nextId++, IrType.PopulationTupleType);
                output.Add(new IrFusedDecode(
                    tuple,
                    decodes.Select(d => d.Population).ToImmutableArray(),
                    decodes[0].Model,
                    decodes[0].Options,
                    decodes.Select(d => d.Stream).ToImmutableArray()));
                output.AddRange(decodes.Select((d, i) => new IrProject(d.Result!, tuple, i)));
            }

            return output.ToImmutableArray();
        }

        /// <summary>
        /// Groups the decodes of one body greedily, in order: a decode joins the first open group it is compatible with.
        /// A group closes once any instruction reads one of its results or their input populations (at run time a decode
        /// changes its input in place, so a read of either would have to stay after the decode) or a budget is set (the
        /// decodes moved below it would be limited by it).
        /// </summary>
        private List<Group> FindGroups(List<IrInstruction> body)
        {
            var groups = new List<Group>();
            for (var index = 0; index < body.Count; index++)
            {
                var instruction = body[index];
                var reads = new HashSet<int>(IrTree.DeepOperands(instruction).Select(v => v.Id));
                var candidate = instruction is IrDecode { First: null } decode
                    ? groups.FirstOrDefault(g => !g.Closed && Compatible(g.Leader, decode) && !reads.Overlaps(g.Touched))
                    : null;
                foreach (var group in groups.Where(g => instruction is IrBudget || reads.Overlaps(g.Touched)))
                {
                    group.Closed = true;
                }

                if (instruction is IrDecode { First: null } member)
                {
                    (candidate ?? AddGroup(groups, member)).Add(index, member);
                }
            }

            return groups;
        }

        private static Group AddGroup(List<Group> groups, IrDecode leader)
        {
            var group = new Group(leader);
            groups.Add(group);
            return group;
        }

        private bool Compatible(IrDecode a, IrDecode b) =>
            a.Model == b.Model && a.Options.Values.Zip(b.Options.Values, SameValue).All(same => same);

        private bool SameValue(IrValue a, IrValue b) =>
            a.Id == b.Id
            || (a.Type == b.Type && constants.TryGetValue(a.Id, out var x) && constants.TryGetValue(b.Id, out var y) && SameConstant(x, y));

        private static bool SameConstant(object a, object b) =>
            a is object[] xs && b is object[] ys
                ? xs.Length == ys.Length && xs.Zip(ys, SameConstant).All(same => same)
                : a.GetType() == b.GetType() && a.Equals(b);
    }

    /// <summary>Decodes that may run as one: indices in the body, in order, and the values they touch (inputs and results).</summary>
    private sealed class Group(IrDecode leader)
    {
        public IrDecode Leader { get; } = leader;

        public List<int> Members { get; } = new();

        public HashSet<int> Touched { get; } = new();

        public bool Closed { get; set; }

        public void Add(int index, IrDecode decode)
        {
            Members.Add(index);
            Touched.Add(decode.Result!.Id);
            Touched.Add(decode.Population.Id);
        }
    }
}
