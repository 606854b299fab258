using System.Collections.Immutable;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding.BoundTree;

/// <summary>The checked program: symbols resolved, types known, defaults filled in.</summary>
public sealed record BoundProgram(ImmutableArray<ModelSymbol> Models, ImmutableArray<FunctionSymbol> Functions, ImmutableArray<BoundStrategy> Strategies)
{
    public BoundStrategy? FindStrategy(string name) => Strategies.FirstOrDefault(s => s.Symbol.Name == name);
}

/// <summary>
/// A checked strategy: its body, inferred guarantee, claimed guarantee, static budget bound and declared budget. The
/// binder fills in what it binds; the analyses (SemanticAnalysis) fill in the guarantee and the budget.
/// </summary>
public sealed record BoundStrategy(
    StrategySymbol Symbol,
    ImmutableArray<BoundStatement> Body,
    GuaranteeInfo Guarantee,
    Guarantee? Claimed,
    Budgets.StaticBudget Budget,
    ImmutableArray<Budgets.BudgetLimit> DeclaredBudget)
{
    /// <summary>As bound, before GuaranteeAnalysis and BudgetAnalysis fill in the guarantee and the budget.</summary>
    internal BoundStrategy(StrategySymbol symbol, ImmutableArray<BoundStatement> body, Guarantee? claimed, ImmutableArray<Budgets.BudgetLimit> declaredBudget)
        : this(symbol, body, NotAnalyzed, claimed, Budgets.StaticBudget.Zero, declaredBudget)
    {
    }

    // What the binder records for the analyses only: internal, so the public shape (and the generic bound-tree dump
    // of `tts compile --emit bound`, src/Compiler/Driver/StageDumper.cs) stays as it was.

    /// <summary>The <c>claims</c> clause, where a broken claim is reported when no statement is to blame.</summary>
    internal TextSpan ClaimSpan { get; init; }

    /// <summary>
    /// Every name the body declares, in the order declared, loop bodies after the rest; a statement that failed to
    /// bind may still have declared its name.
    /// </summary>
    internal ImmutableArray<LocalSymbol> Locals { get; init; } = ImmutableArray<LocalSymbol>.Empty;

    /// <summary>
    /// Statements after the return: bound (and reported) but never run. The analyses still walk them, after the
    /// body, as the binder did when it inferred laws and budgets inline.
    /// </summary>
    internal ImmutableArray<BoundStatement> Unreachable { get; init; } = ImmutableArray<BoundStatement>.Empty;

    /// <summary>
    /// Whether binding found errors in this strategy before its clauses: in its body (misplaced statements, which
    /// EffectAnalysis reports, included), a syntax error anywhere in it, or a call cycle through it. Uses inside
    /// expressions that failed to bind are lost, so the unused-name analysis stays silent here.
    /// </summary>
    internal bool HasErrors { get; init; }

    private static readonly GuaranteeInfo NotAnalyzed = new(Guarantees.Guarantee.Heuristic, "none", "not analysed", default);
}

public abstract record BoundStatement(TextSpan Span)
{
    /// <summary>What the statement does besides computing values (nested blocks included), as the effect rules confine it.</summary>
    public Effects.Effect Effects => Binding.Effects.EffectAnalysis.Of(this);
}

/// <summary>
/// A statement its block may not hold (<see cref="Binding.Effects.EffectRules"/>): left unbound, so that
/// EffectAnalysis reports it once and its parts add nothing more. Never run; only in a strategy with errors.
/// </summary>
public sealed record BoundMisplacedStatement(Effects.StatementKind Kind, TextSpan Span) : BoundStatement(Span);

/// <summary>
/// A statement the binder could not complete: an error reached it, reported here or where it came from (an error type
/// from a callee with errors fails silently). It never runs, and its reads are lost as an expression's are when it
/// fails to bind (so <see cref="BoundTreeWalker"/> does not look inside); the analyses still see what it would
/// declare, spend and do to laws, as the binder did when it worked those out while binding.
/// </summary>
public sealed record BoundBadStatement(BoundStatement Statement) : BoundStatement(Statement.Span);

/// <summary>
/// An smc or search block whose population did not resolve (already reported). Its body is bound all the same,
/// so its own mistakes are reported, and the analyses walk it as they walk a block; never run.
/// </summary>
public sealed record BoundFailedBlock(Effects.BlockKind Block, BoundExpression Steps, ImmutableArray<BoundStatement> Body, TextSpan Span)
    : BoundStatement(Span);

/// <summary>
/// <c>population x = sample model(prompt, ...)</c>: every option is an expression (defaults filled in),
/// so later stages never look at the syntax again.
/// </summary>
public sealed record BoundSampleStatement(
    LocalSymbol Population,
    ModelSymbol Model,
    BoundExpression Prompt,
    BoundDecodeOptions Options,
    TextSpan Span) : BoundStatement(Span);

public sealed record BoundDecodeOptions(
    BoundExpression Count,
    BoundExpression Temperature,
    BoundExpression TopK,
    BoundExpression TopP,
    BoundExpression MaxTokens,
    BoundExpression Stop,
    BoundExpression MinP,
    BoundExpression Forbid);

/// <summary><c>population x = race model(prompt, ...) first m</c>.</summary>
public sealed record BoundRaceStatement(LocalSymbol Population, ModelSymbol Model, BoundExpression Prompt, BoundDecodeOptions Options, BoundExpression First, TextSpan Span)
    : BoundStatement(Span);

/// <summary><c>population x = EXPR</c> for a population-valued expression (spawn, rank, repeat, speculative, a strategy call).</summary>
public sealed record BoundPopulationStatement(LocalSymbol Population, BoundExpression Value, TextSpan Span) : BoundStatement(Span);

/// <summary><c>smc ps with resample = m, ess &lt; x, steps &lt;= s { ... }</c>.</summary>
public sealed record BoundSmcStatement(
    LocalSymbol Population,
    ResampleMethod Resample,
    BoundExpression? EssThreshold,
    BoundExpression Steps,
    ImmutableArray<BoundStatement> Body,
    TextSpan Span) : BoundStatement(Span)
{
    /// <summary>
    /// Whether the body weights the population: a factor, observe, condition or twist (one whose value failed to
    /// bind counts too, so a mistake never makes the block look unweighted), or an extend with a mask, whose
    /// correction is a weight. Read by GuaranteeAnalysis; internal, like what BoundStrategy records for the analyses.
    /// </summary>
    internal bool Weighted { get; init; }

    /// <summary>
    /// <c>iterations = K</c>: particle Gibbs — K sweeps of conditional SMC, each keeping one reference particle drawn from the
    /// previous sweep's weights; null for one plain sweep.
    /// </summary>
    public BoundExpression? Iterations { get; init; }

    /// <summary>
    /// <c>temper = f</c>: before each resampling the step's log-weights are multiplied by the largest β in (0, 1] whose ESS
    /// is at least f·N (entropic / annealed weighting); null for none.
    /// </summary>
    public BoundExpression? Temper { get; init; }
}

/// <summary><c>search ps with method = beam, width = w, expand = e, steps &lt;= s { ... }</c>.</summary>
public sealed record BoundSearchStatement(
    LocalSymbol Population,
    SearchMethod Method,
    BoundExpression Width,
    BoundExpression Expand,
    BoundExpression Groups,
    BoundExpression Steps,
    ImmutableArray<BoundStatement> Body,
    TextSpan Span) : BoundStatement(Span)
{
    /// <summary><c>explore = c</c> of <c>method = mcts</c>: the UCT exploration constant; null for the other methods.</summary>
    public BoundExpression? Explore { get; init; }
}

/// <summary><c>extend ps by model(options)</c>: one step (up to a stop string or max_tokens) for every live particle.</summary>
public sealed record BoundExtendStatement(LocalSymbol Population, ModelSymbol Model, BoundDecodeOptions Options, TextSpan Span) : BoundStatement(Span);

/// <summary><c>factor</c> / <c>observe</c> / <c>condition</c> / <c>twist</c> / <c>score</c> with a per-particle value.</summary>
/// <summary>
/// <c>reextend ps where c by M(options)</c> (two-model step speculation): right after <see cref="Draft"/> extended the
/// particles by one step, those where <see cref="Condition"/> holds, or, in the random form <c>where uniform(ps) &gt;= a</c>,
/// those whose uniform is at least <see cref="Acceptance"/> (a step kept with probability min(1, a)), lose that step and
/// redraw it from <see cref="Model"/>. Exactly one of Condition and Acceptance is set. <see cref="LogBound"/> is the
/// bound b when the acceptance is the likelihood-ratio form <c>exp(real(step_logp(M, ps) - step_logp(D, ps)) - b)</c> the
/// compiler proves exact under M ≥ p_M/p_D (the runtime refuses a step where it is not); null otherwise.
/// </summary>
public sealed record BoundReextendStatement(
    LocalSymbol Population,
    ModelSymbol Model,
    BoundDecodeOptions Options,
    BoundExpression? Condition,
    BoundExpression? Acceptance,
    BoundExtendStatement Draft,
    BoundExpression? LogBound,
    TextSpan Span) : BoundStatement(Span);

public sealed record BoundParticleUpdate(Tts.Semantics.ParticleUpdateKind Kind, LocalSymbol Population, BoundExpression Value, TextSpan Span) : BoundStatement(Span);

/// <summary><c>fork { ... }</c>: independent statements; their names are visible after the block.</summary>
public sealed record BoundForkStatement(ImmutableArray<BoundStatement> Body, TextSpan Span) : BoundStatement(Span);

/// <summary><c>refine x = initial by step with rounds &lt;= r, until = c</c>.</summary>
public sealed record BoundRefineStatement(LocalSymbol Local, BoundExpression Initial, BoundExpression Step, BoundExpression Rounds, BoundExpression? Until, TextSpan Span)
    : BoundStatement(Span);

public sealed record BoundLetStatement(LocalSymbol Local, BoundExpression Value, TextSpan Span) : BoundStatement(Span);

public sealed record BoundReturnStatement(BoundExpression Value, TextSpan Span) : BoundStatement(Span);

/// <summary>
/// A typed expression. <see cref="Population"/> is set when the value is computed once per particle of
/// that population (e.g. <c>len(xs)</c>); such values can only flow into selections over the same population.
/// </summary>
public abstract record BoundExpression(TtsType Type, LocalSymbol? Population, TextSpan Span)
{
    public bool IsPerParticle => Population is not null;

    /// <summary>Whether this is the literal <paramref name="value"/> (e.g. an option left at its default).</summary>
    public bool IsLiteral(object value) => this is BoundLiteral literal && literal.Value.Equals(value);
}

public sealed record BoundLiteral(object Value, TtsType Type, TextSpan Span) : BoundExpression(Type, null, Span);

public sealed record BoundParameterReference(ParameterSymbol Parameter, TextSpan Span) : BoundExpression(Parameter.Type, null, Span);

public sealed record BoundLocalReference(LocalSymbol Local, TextSpan Span) : BoundExpression(Local.Type, Local.Population, Span);

/// <summary>The text of each particle of a population: how a population enters a lifted built-in.</summary>
public sealed record BoundParticleText(LocalSymbol PopulationSymbol, TextSpan Span) : BoundExpression(TtsType.Text, PopulationSymbol, Span);

public sealed record BoundBuiltinCall(BuiltinFunction Function, ImmutableArray<BoundExpression> Arguments, LocalSymbol? Population, TextSpan Span)
    : BoundExpression(Function.ReturnType, Population, Span);

public sealed record BoundUnary(UnaryOperator Operator, BoundExpression Operand, TtsType Type, TextSpan Span)
    : BoundExpression(Type, Operand.Population, Span);

public sealed record BoundBinary(BoundExpression Left, BinaryOperator Operator, BoundExpression Right, TtsType Type, LocalSymbol? Population, TextSpan Span)
    : BoundExpression(Type, Population, Span);

public sealed record BoundList(ImmutableArray<BoundExpression> Elements, TtsType Type, TextSpan Span) : BoundExpression(Type, null, Span);

public enum SelectionKind
{
    /// <summary><c>sample(xs)</c>: one particle drawn in proportion to its weight (uniformly in v0).</summary>
    Sample,

    /// <summary><c>best(xs, by: key)</c>: the particle with the largest key; ties go to the lowest index.</summary>
    Best,

    /// <summary><c>vote(xs, key: k, weight: w)</c>: the key value with the largest count (or weight sum); ties go to the value seen first.</summary>
    Vote,

    /// <summary><c>first(xs, where: c, otherwise: t)</c>: the first particle (in index order) satisfying c.</summary>
    First,
}

/// <summary>Reduces a population to one value: sample, best, vote or first.</summary>
public sealed record BoundSelection(
    SelectionKind Kind,
    LocalSymbol PopulationSymbol,
    BoundExpression? Key,
    TtsType Type,
    TextSpan Span,
    BoundExpression? Weight = null,
    BoundExpression? Otherwise = null)
    : BoundExpression(Type, null, Span);

/// <summary>A reward, verifier or extractor applied to a text (per particle when the text is).</summary>
public sealed record BoundFunctionCall(FunctionSymbol Function, BoundExpression Argument, TextSpan Span)
    : BoundExpression(Function.ResultType, Argument.Population, Span);

/// <summary>A call of another strategy; arguments in parameter order, defaults filled in.</summary>
public sealed record BoundStrategyCall(StrategySymbol Strategy, ImmutableArray<BoundExpression> Arguments, TextSpan Span)
    : BoundExpression(Strategy.ReturnType, null, Span);

/// <summary><c>spawn(n, prompt: q)</c>: n empty particles continuing q, to be extended in an smc or search block.</summary>
public sealed record BoundSpawn(BoundExpression Count, BoundExpression Prompt, TextSpan Span) : BoundExpression(TtsType.Population, null, Span);

/// <summary><c>rank(xs, by: s, top: k)</c>: the k particles with the largest s.</summary>
public sealed record BoundRank(LocalSymbol PopulationSymbol, BoundExpression By, BoundExpression Top, TextSpan Span)
    : BoundExpression(TtsType.Population, null, Span);

/// <summary><c>repeat(k, call)</c>: k independent runs of a strategy call, as a population of their texts.</summary>
public sealed record BoundRepeat(BoundExpression Count, BoundStrategyCall Call, TextSpan Span) : BoundExpression(TtsType.Population, null, Span);

/// <summary><c>speculative(prompt, target: m, draft: d, k: 4, ...)</c>: speculative sampling, exact for the target model.</summary>
public sealed record BoundSpeculative(ModelSymbol Target, ModelSymbol Draft, BoundExpression Lookahead, BoundExpression Prompt, BoundDecodeOptions Options, TextSpan Span)
    : BoundExpression(TtsType.Population, null, Span);

/// <summary>
/// <c>logp(M, x, after: p)</c>: the log-probability model M gives the text x after the prompt p (untempered: the model's
/// own law). With <see cref="Particles"/> set, x is that population and each particle's own generated tokens are scored
/// (EOS included when the particle ended with it), so an importance weight matches the proposal's draws token for token.
/// </summary>
public sealed record BoundLogProb(ModelSymbol Model, BoundExpression Text, BoundExpression After, LocalSymbol? Particles, LocalSymbol? Population, TextSpan Span)
    : BoundExpression(TtsType.LogWeight, Population, Span);

/// <summary>
/// <c>step_logp(M, ps)</c>: the log-probability model M gives each particle's last step (the tokens the last
/// <c>extend</c> or <c>reextend</c> of the smc step gave it, EOS included) after its prompt and its earlier steps.
/// </summary>
public sealed record BoundStepLogProb(ModelSymbol Model, LocalSymbol PopulationSymbol, TextSpan Span)
    : BoundExpression(TtsType.LogWeight, PopulationSymbol, Span);

/// <summary>What each draw of an adaptive vote votes for.</summary>
public enum AdaptiveVoteKey
{
    /// <summary>The whole text.</summary>
    WholeText,

    /// <summary>The built-in <c>answer(text)</c>.</summary>
    Answer,

    /// <summary>An extractor bound at run time.</summary>
    Extractor,
}

/// <summary>
/// <c>adaptive_vote(prompt, from: M, n: N, wave: W, key: k, ...)</c>: the vote of N draws of M by key, drawn W at a time;
/// a run stops drawing once its leader cannot be overtaken (nor tied to its loss) by the draws left, so the result is
/// the full vote's and the draws not made are saved.
/// </summary>
public sealed record BoundAdaptiveVote(
    ModelSymbol Model, BoundExpression Prompt, BoundDecodeOptions Options, BoundExpression Wave, AdaptiveVoteKey Key, FunctionSymbol? Extractor, TextSpan Span)
    : BoundExpression(TtsType.Text, null, Span);

/// <summary>An expression that failed to bind; already reported, so it silences follow-on errors.</summary>
public sealed record BoundErrorExpression(TextSpan Span) : BoundExpression(TtsType.Error, null, Span);
