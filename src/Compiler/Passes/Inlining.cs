using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Semantics;

namespace Tts.Compiler.Passes;

/// <summary>
/// Replaces every strategy call (in regions too) by the callee's body: parameters become the arguments, the return
/// becomes the call's value, values get fresh ids, and each random stream s becomes <see cref="StreamKeys.Nest"/>(call
/// stream, s) — exactly how the executor keys a call it runs — so inlining changes no draw. Streams inside a repeat
/// member or refine round stay as they are: the runtime keys that sub-batch under the repeat's (nested) stream. The callee's budget clause
/// is dropped: only the strategy being run enforces one. Callees are inlined with their own calls inlined first (the
/// binder rejects cycles). A call whose inlining would grow the strategy past <see cref="MaxInlinedInstructions"/> stays a
/// call (the executor runs it as at -O0): strategies that call two strategies that each call two more, forty deep, would
/// otherwise inline 2^40 copies.
/// </summary>
public sealed class Inlining : IIrPass
{
    /// <summary>How many instructions inlining may add to one strategy; the largest in examples/ adds a few hundred; the passes after it slow down past a few thousand.</summary>
    public const int MaxInlinedInstructions = 4096;

    public string Name => "inlining";

    public IrFunction Run(IrFunction function, IrModule module)
    {
        var state = new State(module, function.NextValueId);
        return function with { Instructions = state.InlineBody(function.Instructions, new Dictionary<int, IrValue>()) };
    }

    private sealed class State(IrModule module, int nextId)
    {
        private readonly Dictionary<string, long> _expandedSize = new();
        private int _nextId = nextId;
        private long _inlined;
        private int _expanding;

        /// <summary>
        /// The stream an instruction of the callee being expanded draws from: the executor keys a call's stream s under
        /// call stream c as Nest(c, s), and a call inside that callee as Nest(c, Nest(c2, s)) — the outer map applied to
        /// the inner key, which is not Nest(Nest(c, c2), s).
        /// </summary>
        private Func<int, int> _streamOf = s => s;

        /// <summary>How many instructions a strategy has once all its calls are inlined (capped, so fan-out cannot overflow).</summary>
        private long ExpandedSize(string strategy)
        {
            if (_expandedSize.TryGetValue(strategy, out var known))
            {
                return known;
            }

            _expandedSize[strategy] = 0; // the binder rejects cycles; should one reach here, it ends the count
            var size = 0L;
            if (module.Find(strategy) is { } function)
            {
                foreach (var instruction in IrTree.All(function.Instructions))
                {
                    size = Math.Min(size + 1 + (instruction is IrCallStrategy call ? ExpandedSize(call.Callee) : 0), long.MaxValue / 4);
                }
            }

            _expandedSize[strategy] = size;
            return size;
        }

        public ImmutableArray<IrInstruction> InlineBody(IEnumerable<IrInstruction> body, Dictionary<int, IrValue> substitutions)
        {
            var output = new List<IrInstruction>();
            foreach (var original in body)
            {
                var instruction = IrTree.MapDeep(original, v => substitutions.TryGetValue(v.Id, out var s) ? s : v);

                // A value per particle of a population a call returned now belongs to the inlined population.
                if (instruction.Result is { Type.PopulationId: { } owner } result && substitutions.TryGetValue(owner, out var inlined) && inlined.Id != owner)
                {
                    var retyped = new IrValue(result.Id, result.Type with { PopulationId = inlined.Id });
                    substitutions[result.Id] = retyped;
                    instruction = WithResult(instruction, retyped);
                }

                if (instruction is IrCallStrategy call)
                {
                    // A call inside an inlined callee was counted with it (its expanded size includes its calls).
                    var size = _expanding > 0 ? 0 : ExpandedSize(call.Callee);
                    if (_inlined + size <= MaxInlinedInstructions)
                    {
                        _inlined += size;
                        _expanding++;
                        substitutions[call.Result!.Id] = Expand(call, output);
                        _expanding--;
                        continue;
                    }
                }

                // A repeat member or refine round runs as a sub-batch keyed under the instruction's final stream: a call in it
                // is keyed from there, not under the callee being expanded (see StrategyRuntime.SubBatch).
                var enclosing = _streamOf;
                _streamOf = SubBatchStreams(instruction) ?? enclosing;
                output.Add(instruction.MapRegions(region =>
                {
                    // The body first: a call it inlines changes what the region yields.
                    var body = InlineBody(region.Body, substitutions);
                    return region with { Body = body, Yield = substitutions.TryGetValue(region.Yield.Id, out var y) ? y : region.Yield };
                }));
                _streamOf = enclosing;
            }

            return output.ToImmutableArray();
        }

        /// <summary>Appends the callee's instructions, renamed, to <paramref name="output"/>; returns the value the call returns.</summary>
        private IrValue Expand(IrCallStrategy call, List<IrInstruction> output)
        {
            var callee = module.Find(call.Callee) ?? throw new InvalidOperationException($"inlining: strategy '{call.Callee}' is not in the module");
            var renamed = new Dictionary<int, IrValue>();
            for (var i = 0; i < callee.Parameters.Length; i++)
            {
                var parameter = callee.Instructions.OfType<IrParameter>().Single(p => p.Name == callee.Parameters[i].Name);
                renamed[parameter.Result!.Id] = call.Arguments[i];
            }

            IrValue Rename(IrValue value)
            {
                if (renamed.TryGetValue(value.Id, out var known))
                {
                    return known;
                }

                var type = value.Type.PopulationId is { } population ? value.Type with { PopulationId = Rename(new IrValue(population, IR.IrType.PopulationType)).Id } : value.Type;
                var fresh = new IrValue(_nextId++, type);
                renamed[value.Id] = fresh;
                return fresh;
            }

            var outer = _streamOf;
            int StreamOf(int s) => outer(StreamKeys.Nest(call.Stream, s));
            var body = new List<IrInstruction>();
            IrValue? returned = null;
            foreach (var instruction in callee.Instructions)
            {
                switch (instruction)
                {
                    case IrParameter or IrBudget:
                        continue;
                    case IrReturn ret:
                        returned = Rename(ret.Value);
                        continue;
                }

                body.Add(Copy(instruction, Rename, StreamOf));
            }

            // The callee may itself call strategies: inline those, into its renamed body. What the callee returns may be
            // such a call's value (or a population it gave), so it goes through the same substitutions.
            var inner = new Dictionary<int, IrValue>();
            _streamOf = StreamOf;
            output.AddRange(InlineBody(body, inner));
            _streamOf = outer;
            if (returned is null)
            {
                throw new InvalidOperationException($"inlining: strategy '{call.Callee}' has no return");
            }

            return inner.TryGetValue(returned.Id, out var substituted) ? substituted : returned;
        }

        /// <summary>
        /// The stream map inside <paramref name="instruction"/>'s regions when they run as a sub-batch (a repeat member, a
        /// refine round): the identity, since the runtime keys a sub-batch's streams under the instruction's final stream,
        /// which the instruction itself carries. Null for an instruction whose regions run in the enclosing batch.
        /// </summary>
        private static Func<int, int>? SubBatchStreams(IrInstruction instruction) => instruction is ISubBatchInstruction ? s => s : null;

        /// <summary>
        /// A renamed copy: results, region parameters and operands get fresh ids; streams are nested under the call's,
        /// except inside a sub-batch's regions (see <see cref="SubBatchStreams"/>).
        /// </summary>
        private static IrInstruction Copy(IrInstruction instruction, Func<IrValue, IrValue> rename, Func<int, int> streamOf)
        {
            var inside = SubBatchStreams(instruction) ?? streamOf;
            var copy = instruction.MapOperands(rename).MapRegions(region => new IrRegion(
                region.Parameters.Select(rename).ToImmutableArray(),
                region.Body.Select(i => Copy(i, rename, inside)).ToImmutableArray(),
                rename(region.Yield)));

            // A call keeps its own stream: expanding it keys its callee's streams under it (see _streamOf).
            if (copy is IRandomInstruction random and not IrCallStrategy)
            {
                copy = random.WithStream(streamOf(random.Stream));
            }
            else if (copy is IrFusedDecode fused)
            {
                copy = fused.MapStreams(streamOf);
            }

            return instruction.Result is null ? copy : WithResult(copy, rename(instruction.Result));
        }

        private static IrInstruction WithResult(IrInstruction instruction, IrValue result) => instruction with { Result = result };
    }
}
