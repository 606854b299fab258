using System.Collections.Immutable;
using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>
/// One IR instruction. Operands are SSA values; <see cref="Result"/> is null only for <see cref="IrReturn"/>.
/// Each kind states its effects, so passes can tell what they may remove or reorder.
/// </summary>
public abstract record IrInstruction(IrValue? Result)
{
    public abstract IrEffects Effects { get; }

    public abstract IEnumerable<IrValue> Operands { get; }

    /// <summary>A copy whose operands are mapped (used by passes that replace values). Regions are mapped separately.</summary>
    public abstract IrInstruction MapOperands(Func<IrValue, IrValue> map);

    /// <summary>The nested bodies (loop bodies of smc and search, members of repeat, rounds of refine); empty for most.</summary>
    public virtual ImmutableArray<IrRegion> Regions => ImmutableArray<IrRegion>.Empty;

    /// <summary>A copy whose regions are mapped, in the order of <see cref="Regions"/>.</summary>
    public virtual IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this;
}

/// <summary>An instruction that draws randomness from its own stream (streams are unique within a strategy).</summary>
public interface IRandomInstruction
{
    int Stream { get; }

    IrInstruction WithStream(int stream);
}

/// <summary>
/// An instruction whose regions run as a sub-batch (a repeat member, a refine round): the runtime keys the streams in
/// them as Nest(K, s), K this instruction's own final stream, so they are a namespace of their own — numbers there
/// may repeat numbers outside — and an inliner leaves them as they are, keying only the instruction's stream.
/// </summary>
public interface ISubBatchInstruction : IRandomInstruction;

/// <summary>Reads a strategy argument (given at run time, or the parameter's default).</summary>
public sealed record IrParameter(IrValue Result, string Name) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Array.Empty<IrValue>();

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this;
}

/// <summary>A constant: long, double, string, bool, or object[] for lists.</summary>
public sealed record IrConstant(IrValue Result, object Value) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Array.Empty<IrValue>();

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this;
}

/// <summary>A population of <c>Count</c> empty particles per run.</summary>
public sealed record IrSpawn(IrValue Result, IrValue Count) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Count };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Count = map(Count) };
}

/// <summary>Runs the prompt through the model once and shares the state with every particle.</summary>
/// <remarks>
/// <c>Shared</c> is false as lowered: every particle prefills its own copy of the prompt, the plain reading of the
/// program. <see cref="Passes.HoistSharedPrefill"/> makes it true: the prompt is prefilled once per run and every
/// particle shares that state.
/// </remarks>
public sealed record IrPrefill(IrValue Result, IrValue Population, string Model, IrValue Prompt, bool Shared = false) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.ModelCall;

    public override IEnumerable<IrValue> Operands => new[] { Population, Prompt };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Prompt = map(Prompt) };
}

/// <summary>
/// Decodes every particle until EOS, a stop string or the token limit: a loop region of batched model
/// steps. <c>Stream</c> names the random stream (unique per random instruction of a strategy). With
/// <c>First</c> (a race), decoding stops once every run has <c>First</c> finished particles, and only those are kept
/// (in finishing order, ties to the lower index).
/// </summary>
public sealed record IrDecode(IrValue Result, IrValue Population, string Model, IrDecodeOptions Options, int Stream, IrValue? First = null)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random;

    public override IEnumerable<IrValue> Operands => First is null ? new[] { Population }.Concat(Options.Values) : new[] { Population }.Concat(Options.Values).Append(First);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Population = map(Population), Options = Options.Map(map), First = First is null ? null : map(First) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>The generated text of each particle.</summary>
public sealed record IrParticleText(IrValue Result, IrValue Population) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population) };
}

/// <summary>A built-in function; per particle when any argument is.</summary>
public sealed record IrCall(IrValue Result, BuiltinFunction Function, ImmutableArray<IrValue> Arguments) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Arguments;

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Arguments = Arguments.Select(map).ToImmutableArray() };
}

public sealed record IrUnary(IrValue Result, UnaryOperator Operator, IrValue Operand) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Operand };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Operand = map(Operand) };
}

public sealed record IrBinary(IrValue Result, BinaryOperator Operator, IrValue Left, IrValue Right) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Left, Right };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Left = map(Left), Right = map(Right) };
}

public sealed record IrList(IrValue Result, ImmutableArray<IrValue> Elements) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Elements;

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Elements = Elements.Select(map).ToImmutableArray() };
}

/// <summary><c>sample(xs)</c>: one particle's text, drawn in proportion to its weight (no output when every particle is dead).</summary>
public sealed record IrSelectSample(IrValue Result, IrValue Population, int Stream) : IrInstruction(Result), IRandomInstruction
{
    public IrInstruction WithStream(int stream) => this with { Stream = stream };

    public override IrEffects Effects => IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Population };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population) };
}

/// <summary><c>best(xs, by: key)</c>: the text of the particle with the largest key; ties to the lowest index.</summary>
public sealed record IrSelectBest(IrValue Result, IrValue Population, IrValue Key) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Key };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Key = map(Key) };
}

/// <summary>
/// A reward, verifier or extractor bound at run time, applied to one text or to each particle's text (one batched
/// call per population). <see cref="ResultType"/> is its declared result: Score, Prob, bool or text.
/// </summary>
public sealed record IrCallFunction(IrValue Result, string Name, Tts.Semantics.FunctionKind Kind, TtsType ResultType, IrValue Argument)
    : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.FunctionCall;

    public override IEnumerable<IrValue> Operands => new[] { Argument };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Argument = map(Argument) };
}

/// <summary>
/// <c>first(xs, where: c, otherwise: t)</c>: the text of the first particle (in index order) where c holds; else t, or
/// no output when there is no fallback. Rejection sampling when xs holds i.i.d. draws.
/// </summary>
public sealed record IrSelectFirst(IrValue Result, IrValue Population, IrValue Condition, IrValue? Otherwise) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Otherwise is null ? new[] { Population, Condition } : new[] { Population, Condition, Otherwise };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Population = map(Population), Condition = map(Condition), Otherwise = Otherwise is null ? null : map(Otherwise) };
}

/// <summary>
/// <c>vote(xs, key: k, weight: w)</c>: the key with the largest count (or, with a weight, the largest sum of weights);
/// ties to the value whose first occurrence comes first.
/// </summary>
public sealed record IrReduceVote(IrValue Result, IrValue Population, IrValue Key, IrValue? Weight = null) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => Weight is null ? new[] { Population, Key } : new[] { Population, Key, Weight };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Population = map(Population), Key = map(Key), Weight = Weight is null ? null : map(Weight) };
}

/// <summary>
/// <c>budget R &lt;= limit</c> of the strategy being run: the executor stops a run with an error as soon as what it
/// spent on R exceeds the limit. Only the strategy that is run enforces its budget; a callee's is dropped when it
/// is inlined (the caller's bound, which the compiler computed through the call, covers it).
/// </summary>
public sealed record IrBudget(Tts.Semantics.BudgetResource Resource, IrValue Limit) : IrInstruction((IrValue?)null)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Limit };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Limit = map(Limit) };
}

public sealed record IrReturn(IrValue Value) : IrInstruction((IrValue?)null)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Value };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Value = map(Value) };
}
