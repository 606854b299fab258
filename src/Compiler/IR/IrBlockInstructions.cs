using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>
/// <c>smc</c>: runs <see cref="Body"/> (parameter: the population at the start of a step; yield: at its end) up to
/// <c>Steps</c> times, stopping early once no particle of any run is live (ended by EOS or dead). When the loop ends,
/// every particle's last twist is removed from its weight, so twisted targets telescope back to the target.
/// </summary>
public sealed record IrSmc(IrValue Result, IrValue Population, IrValue Steps, IrRegion Body) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Steps };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Steps = map(Steps) };

    public override ImmutableArray<IrRegion> Regions => ImmutableArray.Create(Body);

    public override IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this with { Body = map(Body) };
}

/// <summary>
/// <c>smc ... iterations = K</c> (particle Gibbs, Andrieu, Doucet &amp; Holenstein 2010): <c>Iterations</c> sweeps of the
/// smc loop over fresh copies of the starting population. The first sweep is a plain smc block; at the end of each
/// sweep every run draws a reference particle from its weights (stream <c>Stream</c>), and in the next sweep particle 0
/// of the run replays the reference's tokens (its weights recomputed by the body) and keeps its own ancestor at every
/// resampling, while the other particles draw theirs from all the weights (conditional multinomial resampling, no
/// ancestor sampling). The result is the last sweep's population.
/// </summary>
public sealed record IrParticleGibbs(IrValue Result, IrValue Population, IrValue Steps, IrValue Iterations, IrRegion Body, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Population, Steps, Iterations };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Population = map(Population), Steps = map(Steps), Iterations = map(Iterations) };

    public override ImmutableArray<IrRegion> Regions => ImmutableArray.Create(Body);

    public override IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this with { Body = map(Body) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>search</c>: each step expands the kept nodes (beam, diverse: every live node <c>Expand</c> times; best-first: the
/// best live node of the frontier), runs <see cref="Body"/> on the new children (extend, score, condition), and keeps
/// the <c>Width</c> best by score (per group for diverse). Stops after <c>Steps</c> steps or once no node is live.
/// Mcts: each step is one simulation — UCT selection with exploration constant <c>Explore</c> from the root, one new
/// child (the body extends and scores it) where a node has fewer than <c>Expand</c> children, its score backed up the
/// path; every node is kept (the root discarded at the end).
/// </summary>
public sealed record IrSearch(
    IrValue Result,
    IrValue Population,
    SearchMethod Method,
    IrValue Width,
    IrValue Expand,
    IrValue Groups,
    IrValue Steps,
    IrRegion Body,
    IrValue? Explore = null) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Width, Expand, Groups, Steps, Explore }.OfType<IrValue>();

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with
    {
        Population = map(Population), Width = map(Width), Expand = map(Expand), Groups = map(Groups), Steps = map(Steps),
        Explore = Explore is null ? null : map(Explore),
    };

    public override ImmutableArray<IrRegion> Regions => ImmutableArray.Create(Body);

    public override IrInstruction MapRegions(Func<IrRegion, IrRegion> map) => this with { Body = map(Body) };
}

/// <summary>
/// <c>extend</c>: every particle live at the start of the step decodes one step: up to a stop string (kept in the
/// text, the next step continues after it), EOS (the particle ends) or <c>MaxTokens</c> tokens. With <c>Weighted</c>
/// (inside smc), a <c>forbid</c> mask's log allowed mass is added to each particle's weight, so the mask changes the
/// proposal and not the target.
/// </summary>
public sealed record IrExtend(IrValue Result, IrValue Population, string Model, IrDecodeOptions Options, bool Weighted, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Population }.Concat(Options.Values);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Options = Options.Map(map) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>reextend</c> (two-model step speculation), right after the <c>extend</c> that drafted the step: each particle of
/// that step whose <c>Condition</c> holds, or (random form) whose uniform, keyed by the particle and the step, is at least
/// <c>Acceptance</c>, loses the drafted step and redraws it from <c>Model</c>; only those particles are decoded by it.
/// Exactly one of Condition and Acceptance is set. With <c>Exact</c> (the likelihood-ratio form) a step whose acceptance
/// exceeds 1 stops the run: the bound M did not bound p_Model/p_draft there, so the step law would not be Model's.
/// </summary>
public sealed record IrReextend(IrValue Result, IrValue Population, string Model, IrDecodeOptions Options, IrValue? Condition, IrValue? Acceptance, bool Exact, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Population, (Condition ?? Acceptance)! }.Concat(Options.Values);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with
    {
        Population = map(Population),
        Options = Options.Map(map),
        Condition = Condition is null ? null : map(Condition),
        Acceptance = Acceptance is null ? null : map(Acceptance),
    };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary>
/// <c>factor</c> (adds a LogWeight), <c>observe</c> (adds the log of a Prob), <c>condition</c> (−∞ where false: the
/// particle dies; in search the node is pruned) on the particles extended in this step; ended particles keep their weight.
/// </summary>
public sealed record IrReweight(IrValue Result, IrValue Population, ParticleUpdateKind Kind, IrValue Value) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Value };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Value = map(Value) };
}

/// <summary><c>twist</c>: a heuristic LogWeight ψ; the step's weight gains ψ_t − ψ_(t−1) (the smc end removes the last ψ).</summary>
public sealed record IrTwist(IrValue Result, IrValue Population, IrValue Value) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Value };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Value = map(Value) };
}

/// <summary><c>score</c> in search: the score the step's children are ranked by (a node a condition killed ranks last).</summary>
public sealed record IrScore(IrValue Result, IrValue Population, IrValue Value) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Value };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Value = map(Value) };
}

/// <summary>
/// Resamples each run (or, with <c>Ess</c>, each run whose effective sample size is below Ess·N): one gather of the
/// particles by ancestors whose expected offspring count is N·(normalized weight); weights reset to uniform, the
/// evidence kept. With <c>Temper</c> = f, a run that resamples first multiplies its log-weights by the largest β in
/// (0, 1] whose ESS is at least f·N (entropic weighting: a heuristic that changes the target).
/// </summary>
public sealed record IrResample(IrValue Result, IrValue Population, ResampleMethod Method, IrValue? Ess, int Stream, IrValue? Temper = null)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Population, Ess, Temper }.OfType<IrValue>();

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Population = map(Population), Ess = Ess is null ? null : map(Ess), Temper = Temper is null ? null : map(Temper) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}

/// <summary><c>rank(xs, by: s, top: k)</c>: a new population of the k particles with the largest s (ties to the lower index).</summary>
public sealed record IrRank(IrValue Result, IrValue Population, IrValue Key, IrValue Top) : IrInstruction(Result)
{
    public override IrEffects Effects => IrEffects.None;

    public override IEnumerable<IrValue> Operands => new[] { Population, Key, Top };

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) => this with { Population = map(Population), Key = map(Key), Top = map(Top) };
}

/// <summary>
/// <c>speculative(prompt, target: T, draft: D, k: K, ...)</c>: <c>Count</c> particles per run decoded with D proposing
/// and T accepting with probability min(1, p/q) or correcting from normalize((p − q)+), so every text follows T.
/// </summary>
public sealed record IrSpeculative(IrValue Result, IrValue Count, string Target, string Draft, IrValue Lookahead, IrValue Prompt, IrDecodeOptions Options, int Stream)
    : IrInstruction(Result), IRandomInstruction
{
    public override IrEffects Effects => IrEffects.ModelCall | IrEffects.Random;

    public override IEnumerable<IrValue> Operands => new[] { Count, Lookahead, Prompt }.Concat(Options.Values);

    public override IrInstruction MapOperands(Func<IrValue, IrValue> map) =>
        this with { Count = map(Count), Lookahead = map(Lookahead), Prompt = map(Prompt), Options = Options.Map(map) };

    public IrInstruction WithStream(int stream) => this with { Stream = stream };
}
