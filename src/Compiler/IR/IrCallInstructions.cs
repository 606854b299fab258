using System.Collections.Immutable;

namespace Tts.Compiler.IR;

/// <summary>
/// A call of another strategy of the module, arguments in parameter order. The callee's random streams are keyed
/// under this call's <c>Stream</c>, so a call executed as a call and the same call inlined draw the same numbers.
/// </summary>
public sealed record IrCallStrategy(IrValue Result, string Callee, ImmutableArray<IrValue> Arguments, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random | IrEffects.FunctionCall;

    public override IEnumerable<IrValue> Operands => Arguments;

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Arguments = Arguments.Select(map).ToImmutableArray() };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>repeat(k, call)</c>: <c>Count</c> independent executions of <see cref="Member"/> (no parameters; yields one value),
/// as a population of their texts. Member j of run r executes as sub-run r·k + j, all members of all runs in one batch,
/// its streams keyed under <c>Stream</c>.
/// </summary>
public sealed record IrRepeat(IrValue Result, IrValue Count, IrRegion Member, int Stream) : IrInstruction(Result), ISubBatchInstruction
{
    public override IrEffects Effects => IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Count };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Count = map(Count) };

    public override ImmutableArray<IrRegion> Regions => ImmutableArray.Create(Member);

    public override IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this with { Member = map(Member) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>refine x = init by step with rounds &lt;= R, until = c</c>: x starts as <c>Initial</c>; each round, runs whose
/// <see cref="Until"/> (parameter x) does not hold yet replace x by <see cref="Step"/> (parameter x). Round i's
/// streams are keyed under (<c>Stream</c>, i), and only the runs still refining execute it.
/// </summary>
public sealed record IrRefine(IrValue Result, IrValue Initial, IrValue Rounds, IrRegion Step, IrRegion? Until, int Stream)
    : IrInstruction(Result), ISubBatchInstruction
{
    public override IrEffects Effects => IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Initial, Rounds };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Initial = map(Initial), Rounds = map(Rounds) };

    public override ImmutableArray<IrRegion> Regions => Until is null ? ImmutableArray.Create(Step) : ImmutableArray.Create(Step, Until);

    public override IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this with { Step = map(Step), Until = Until is null ? null : map(Until) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>step_logp(M, ps)</c>: the log-probability model <c>Model</c> gives each particle's last step (its own tokens, EOS
/// included) after its prompt and earlier steps, as a LogWeight per particle (one batched scoring).
/// </summary>
public sealed record IrStepLogProb(IrValue Result, string Model, IrValue Population) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.ModelCall;

    public override IEnumerable<IrValue> Operands => new[] { Population };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population) };
}

/// <summary>
/// <c>logp(M, x, after: p)</c>: the log-probability model <c>Model</c> gives the text <c>Text</c> after the prompt
/// <c>After</c>, as a LogWeight (one batched scoring of every text). With <c>Particles</c> (a population), the text is
/// that population's particles, and their own generated tokens are scored instead of the text re-encoded.
/// </summary>
public sealed record IrLogProb(IrValue Result, string Model, IrValue Text, IrValue After, IrValue? Particles) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.ModelCall;

    public override IEnumerable<IrValue> Operands => Particles is null ? new[] { Text, After } : new[] { Text, After, Particles };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Text = map(Text), After = map(After), Particles = Particles is null ? null : map(Particles) };
}

/// <summary>
/// <c>adaptive_vote(prompt, from: M, n: N, wave: W, key: k, ...)</c>: up to <c>Count</c> draws of M per run, decoded
/// <c>Wave</c> rows at a time in particle order under the same row keys a full <c>sample</c> of N would use; a run stops
/// once its leader cannot be overtaken, and the result is the vote by key (the whole text; <c>Answer</c>: the built-in
/// answer; else the extractor <c>Extractor</c>).
/// </summary>
public sealed record IrAdaptiveVote(
    IrValue Result, IrValue Count, string Model, IrValue Prompt, IrDecodeOptions Options, IrValue Wave, bool Answer, string? Extractor, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => Extractor is null ? IrEffects.ModelCall | IrEffects.Random : IrEffects.ModelCall | IrEffects.Random | IrEffects.FunctionCall;

    public override IEnumerable<IrValue> Operands => new[] { Count, Prompt, Wave }.Concat(Options.Values);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Count = map(Count), Prompt = map(Prompt), Wave = map(Wave), Options = Options.Map(map) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}
