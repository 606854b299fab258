using Tts.Compiler.IR;

namespace Tts.Compiler.Emit;

/// <summary>What the generated C# statically knows a local holds, so it casts exactly where the executor casts.</summary>
internal enum ValueKind
{
    /// <summary>A <c>BatchValue</c> of unknown kind: what the runtime's Builtin, Unary, Binary, CallFunction and strategy calls return.</summary>
    Object,

    /// <summary><c>RunValues</c>: one value per run.</summary>
    Single,

    /// <summary><c>ParticleValues</c>: one value per particle.</summary>
    PerParticle,

    Population,

    /// <summary><c>Population[]</c>: the populations a fused decode returns, read by projections.</summary>
    PopulationTuple,

    /// <summary>A spawn's particle count, kept for the prefill that follows it (the executor's SpawnCount).</summary>
    SpawnCount,
}

/// <summary>A C# expression naming an IR value, and its static kind.</summary>
internal sealed record EmittedValue(string Expression, ValueKind Kind);

/// <summary>
/// The IR values one C# body can see: a method, or a region's lambda. A repeat member or refine round is a sub-batch
/// (the executor gives it an environment that projects the enclosing values onto its runs): its scope names the
/// projection, and values from outside are read through it. Smc and search steps share their enclosing environment.
/// </summary>
internal sealed class EmitScope
{
    private readonly Dictionary<int, EmittedValue> _values = new();
    private readonly Dictionary<int, EmittedValue> _projected = new();

    public EmitScope(EmitScope? parent, string runtime, string? projection, string blockStep)
    {
        Parent = parent;
        Runtime = runtime;
        Projection = projection;
        BlockStep = blockStep;
        Depth = parent is null ? 0 : parent.Depth + 1;
    }

    public EmitScope? Parent { get; }

    /// <summary>The StrategyRuntime this body runs on (a sub-batch's own inside a repeat member or refine round).</summary>
    public string Runtime { get; }

    /// <summary>The projection onto a sub-batch's runs, when this body is a repeat member or refine round.</summary>
    public string? Projection { get; }

    /// <summary>The step number extend and resample are keyed by: the innermost smc/search step, 0 outside any.</summary>
    public string BlockStep { get; }

    /// <summary>Lambda nesting depth: suffixes names declared per lambda, so nested lambdas never shadow each other.</summary>
    public int Depth { get; }

    public void Define(IrValue value, EmittedValue emitted) => _values[value.Id] = emitted;

    public void DefineProjected(IrValue value, EmittedValue emitted) => _projected[value.Id] = emitted;

    /// <summary>How this body reads a value: its own local, a projected copy, or the enclosing body's.</summary>
    public EmittedValue Resolve(IrValue value)
    {
        if (_values.TryGetValue(value.Id, out var own))
        {
            return own;
        }

        if (_projected.TryGetValue(value.Id, out var projected))
        {
            return projected;
        }

        var outer = Parent?.Resolve(value) ?? throw new InvalidOperationException($"C# emitter: {value} is read before it is defined");
        if (Projection is null)
        {
            return outer;
        }

        // Per-run values are projected once at the top of the sub-batch (see FunctionEmitter.ProjectFreeValues); a
        // population or per-particle value is projected where it is read, which throws the executor's error there.
        if (outer.Kind == ValueKind.SpawnCount)
        {
            throw new InvalidOperationException($"C# emitter: the spawn {value} is prefilled inside a repeat member or refine round it was not made in");
        }

        var argument = outer.Kind == ValueKind.PopulationTuple ? $"(BatchValue)(object){outer.Expression}" : outer.Expression;
        return new EmittedValue($"{Projection}({argument})", ValueKind.Object);
    }

    /// <summary>
    /// The population a per-particle value belongs to, as the executor finds it (by id, through enclosing bodies,
    /// never projected): null when no population with that id is in scope.
    /// </summary>
    public string Owner(int populationId)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._values.TryGetValue(populationId, out var value))
            {
                return value.Kind switch
                {
                    ValueKind.Population => value.Expression,
                    ValueKind.Object => $"{value.Expression} as Population",
                    _ => "null",
                };
            }
        }

        return "null";
    }
}
