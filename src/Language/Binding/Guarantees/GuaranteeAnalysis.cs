using System.Collections.Immutable;
using Tts.Language.Binding.Analysis;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding.Guarantees;

/// <summary>
/// Guarantee inference, compositional, over each strategy's bound body in order: every population carries a law
/// (exact = i.i.d. draws of a target, consistent = properly weighted for it, heuristic = none), every random value
/// the law of what it was computed from, and a call the guarantee of its callee (strategies are analysed callees
/// first). The returned value's law is the strategy's guarantee; a <c>claims</c> clause stronger than it is an error.
/// The rules, with their reasons: docs/guarantees.md.
/// </summary>
internal sealed class GuaranteeAnalysis : IBoundProgramAnalysis
{
    private const string ResamplingReason =
        "SMC with unbiased resampling (E[offspring] = N·weight) keeps the population properly weighted for the target (Del Moral 2004; Naesseth, Lindsten & Schön 2019)";

    private readonly Dictionary<StrategySymbol, GuaranteeInfo> _inferred = new();

    /// <summary>Each population's current law in the strategy being analysed.</summary>
    private readonly Dictionary<LocalSymbol, GuaranteeInfo> _populationLaw = new();

    /// <summary>The law of each random let (or refine) value; deterministic values are absent.</summary>
    private readonly Dictionary<LocalSymbol, GuaranteeInfo> _valueLaw = new();

    /// <summary>
    /// Populations whose particles share a random input (a prompt, an option, a call argument): i.i.d. only given that
    /// input, with the input's law as the value. One particle follows the mixture over the input, but a selection that
    /// conditions or reweights across particles (first, smc with weights) mixes per-input conditionals instead.
    /// </summary>
    private readonly Dictionary<LocalSymbol, GuaranteeInfo> _sharedInput = new();

    /// <summary>Strategies returning a population whose particles share a random input (see <see cref="_sharedInput"/>).</summary>
    private readonly Dictionary<StrategySymbol, GuaranteeInfo> _returnsShared = new();

    private GuaranteeInfo? _returned;
    private AnalysisContext _context = null!;

    public BoundProgram Analyze(BoundProgram program, AnalysisContext context)
    {
        _context = context;
        foreach (var strategy in CallOrder.CalleesFirst(program))
        {
            var guarantee = Infer(strategy);
            _inferred[strategy.Symbol] = guarantee;
            CheckClaim(strategy, guarantee);
        }

        return program with { Strategies = program.Strategies.Select(s => s with { Guarantee = _inferred[s.Symbol] }).ToImmutableArray() };
    }

    private GuaranteeInfo Infer(BoundStrategy strategy)
    {
        _populationLaw.Clear();
        _valueLaw.Clear();
        _sharedInput.Clear();
        _returned = null;

        // A return after the return still decides, as it did when the binder inferred laws while binding.
        Walk(strategy.Body.Concat(strategy.Unreachable), new BlockLaws());
        if (strategy.Body.OfType<BoundReturnStatement>().FirstOrDefault() is { Value: BoundLocalReference { Local.IsPopulation: true } returned }
            && _sharedInput.TryGetValue(returned.Local, out var shared))
        {
            _returnsShared[strategy.Symbol] = shared;
        }

        return _returned ?? new GuaranteeInfo(Guarantee.Heuristic, "none", "the strategy does not return", default);
    }

    private void CheckClaim(BoundStrategy strategy, GuaranteeInfo inferred)
    {
        if (strategy.Claimed is { } claimed && inferred.Level > claimed)
        {
            // The error points at the statement that broke the claim, and names it.
            var at = inferred.ReasonSpan.Length > 0 ? inferred.ReasonSpan : strategy.ClaimSpan;
            _context.Report(DiagnosticDescriptors.ClaimBroken, at, strategy.Symbol.Name, claimed.ToString().ToLowerInvariant(), inferred.LevelName, inferred.Reason);
        }
    }

    /// <summary>In an smc block: the target's parts in words, and the laws of random inputs weaker than exact.</summary>
    private sealed class BlockLaws
    {
        public List<string> TargetParts { get; } = new();

        public List<GuaranteeInfo> InputLaws { get; } = new();

        /// <summary>Random single values (any law) the block's options or weights read: every particle shares them.</summary>
        public List<GuaranteeInfo> SharedInputs { get; } = new();
    }

    private void Walk(IEnumerable<BoundStatement> statements, BlockLaws block)
    {
        foreach (var statement in statements)
        {
            Visit(statement, block);
        }
    }

    private void Visit(BoundStatement statement, BlockLaws block)
    {
        switch (statement)
        {
            case BoundLetStatement let:
                if (LawOf(let.Value) is { } law)
                {
                    _valueLaw[let.Local] = law;
                }

                break;
            case BoundReturnStatement ret:
                _returned = ret.Value is BoundLocalReference { Local.IsPopulation: true } reference
                    ? ReturnedPopulationLaw(reference.Local)
                    : LawOf(ret.Value) ?? new GuaranteeInfo(Guarantee.Exact, "a point mass on the returned value",
                        "the returned value does not depend on any sampling", ret.Span);
                break;
            case BoundSampleStatement sample:
            {
                var inputs = BoundTreeWalker.Options(sample.Options).Prepend(sample.Prompt).ToList();
                _populationLaw[sample.Population] = Cap(new GuaranteeInfo(Guarantee.Exact,
                    GuaranteeInference.DescribeDecodingLaw(sample, e => _context.SourceOf(e.Span)) + InputLawsInWords(inputs),
                    $"sample {sample.Model.Name}(...) draws i.i.d. texts from the decoding law", sample.Span), inputs);
                SetShared(sample.Population, RandomInput(inputs));
                break;
            }

            case BoundRaceStatement race:
                _populationLaw[race.Population] = new GuaranteeInfo(Guarantee.Heuristic, "none",
                    "race keeps the first particles to finish, which favours short texts over the model's law", race.Span);
                break;
            case BoundPopulationStatement population:
                _populationLaw[population.Population] = PopulationLawOf(population.Value, population.Span);
                SetShared(population.Population, SharedInputOf(population.Value));
                break;
            case BoundSmcStatement smc:
                var before = _populationLaw.TryGetValue(smc.Population, out var start) ? start : null;
                var laws = new BlockLaws();
                Walk(smc.Body, laws);
                _populationLaw[smc.Population] = SmcLaw(smc, before, laws);
                SetShared(smc.Population, SharedOf(smc.Population) ?? laws.SharedInputs.FirstOrDefault());
                break;
            case BoundSearchStatement search:
                Walk(search.Body, new BlockLaws());
                _populationLaw[search.Population] = new GuaranteeInfo(Guarantee.Heuristic, "none",
                    search.Method is SearchMethod.Mcts or SearchMethod.Puct
                        ? $"search grows a tree by {(search.Method == SearchMethod.Puct ? "PUCT" : "UCT")} over the scores (Monte Carlo tree search): where it expands depends on the values it has seen, which follows no stated law"
                        : $"search keeps the best-scoring partial texts ({SearchMethodNames.Of(search.Method)}), which follows no stated law", search.Span);
                break;
            case BoundFailedBlock failed:
                Walk(failed.Body, new BlockLaws());
                break;
            case BoundForkStatement fork:
                Walk(fork.Body, new BlockLaws());
                break;
            case BoundExtendStatement extend:
                // Random options cap the block's law.
                if (InputLaw(BoundTreeWalker.Options(extend.Options)) is { } options)
                {
                    block.InputLaws.Add(options);
                }

                if (RandomInput(BoundTreeWalker.Options(extend.Options)) is { } sharedOption)
                {
                    block.SharedInputs.Add(sharedOption);
                }

                var source = _context.SourceOf(extend.Span);
                block.TargetParts.Add($"continued by {source.Substring(source.IndexOf(" by ", StringComparison.Ordinal) + 4)}");
                break;
            case BoundReextendStatement reextend:
                VisitReextend(reextend, block);
                break;
            case BoundParticleUpdate update:
                VisitUpdate(update, block);
                break;
            case BoundBadStatement bad:
                Visit(bad.Statement, block);
                break;
            case BoundRefineStatement refine:
                _valueLaw[refine.Local] = new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"refine {refine.Local.Name} keeps rewriting a text by a step of its own choosing, which follows no stated law", refine.Span);
                break;
        }
    }

    /// <summary>
    /// Step speculation. In the likelihood-ratio form the binder recognises (<see cref="BoundReextendStatement.LogBound"/>) a
    /// draft step x ~ p_D kept with probability p_L(x)/(M·p_D(x)) and otherwise redrawn from p_L has the law
    /// p_D·α + (1 − Σ p_D·α)·p_L = p_L/M + (1 − 1/M)·p_L = p_L when M ≥ sup p_L/p_D: the step is the redrawing model's, and
    /// the block keeps its law with that model as the step's (the runtime refuses a step where the bound fails). Any other
    /// judge mixes the two models by the judge's choice: heuristic.
    /// </summary>
    private void VisitReextend(BoundReextendStatement reextend, BlockLaws block)
    {
        var source = _context.SourceOf(reextend.Span);
        var redraw = source.Substring(source.LastIndexOf(" by ", StringComparison.Ordinal) + 4);
        if (reextend.LogBound is { } bound)
        {
            var index = block.TargetParts.FindLastIndex(p => p.StartsWith("continued by ", StringComparison.Ordinal));
            var part = $"continued by {redraw} (drafted by {reextend.Draft.Model.Name}, accepted with probability p_{reextend.Model.Name}/(M·p_{reextend.Draft.Model.Name}), M = exp({_context.SourceOf(bound.Span)}), exact while M bounds that ratio)";
            if (index >= 0)
            {
                block.TargetParts[index] = part;
            }
            else
            {
                block.TargetParts.Add(part);
            }

            if (InputLaw(BoundTreeWalker.Options(reextend.Options).Append(bound)) is { } input)
            {
                block.InputLaws.Add(input);
            }

            return;
        }

        var judge = reextend.Acceptance is null
            ? $"the condition {_context.SourceOf(reextend.Condition!.Span)}"
            : $"an acceptance probability {_context.SourceOf(reextend.Acceptance.Span)} that is not the likelihood ratio exp(real(step_logp({reextend.Model.Name}, {reextend.Population.Name}) - step_logp({reextend.Draft.Model.Name}, {reextend.Population.Name})) - log_m) under equal untransformed options";
        block.InputLaws.Add(new GuaranteeInfo(Guarantee.Heuristic, "none",
            $"reextend {reextend.Population.Name} keeps a step of {reextend.Draft.Model.Name} or redraws it from {reextend.Model.Name} by {judge}: each step follows a mixture of the two models chosen by the judge, which is neither model's law (step speculation is exact only in the likelihood-ratio form, docs/guarantees.md)",
            reextend.Span));
    }

    private void VisitUpdate(BoundParticleUpdate update, BlockLaws block)
    {
        if (InputLaw(new[] { update.Value }) is { } input)
        {
            block.InputLaws.Add(input);
        }

        if (RandomInput(new[] { update.Value }) is { } shared)
        {
            block.SharedInputs.Add(shared);
        }

        // A twist leaves the target alone (it only steers resampling); a score is for search.
        var value = _context.SourceOf(update.Value.Span);
        switch (update.Kind)
        {
            case ParticleUpdateKind.Factor:
                block.TargetParts.Add($"reweighted by exp({value})");
                break;
            case ParticleUpdateKind.Observe:
                block.TargetParts.Add($"reweighted by {value}");
                break;
            case ParticleUpdateKind.Condition:
                block.TargetParts.Add($"conditioned on {value}");
                break;
        }
    }

    /// <summary>The law of a value, or null when it does not depend on any sampling.</summary>
    private GuaranteeInfo? LawOf(BoundExpression value)
    {
        switch (value)
        {
            case BoundSelection selection:
                return SelectionLaw(selection);
            case BoundStrategyCall call when _inferred.TryGetValue(call.Strategy, out var g) && g.ConditionsOnPassing && g.Level != Guarantee.Heuristic
                                              && RandomInput(call.Arguments) is { } shared:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"{call.Strategy.Name}(...) conditions draws that share a random input (an argument that follows {shared.Target}) on passing: the passing outputs mix each argument's conditional law weighted by its chance of passing, not by its own law, so they follow no stated target",
                    call.Span);
            case BoundStrategyCall call when _inferred.TryGetValue(call.Strategy, out var g):
                return Cap(g with
                {
                    Target = WithArguments(g.Target, call),
                    Reason = $"{call.Strategy.Name}(...) is {g.LevelName}: {g.Reason}",
                    ReasonSpan = call.Span,
                }, call.Arguments);
            case BoundLocalReference local:
                return _valueLaw.TryGetValue(local.Local, out var law) ? law : null;
            case BoundParticleText or BoundLiteral or BoundParameterReference or BoundErrorExpression:
                return null;
            case BoundAdaptiveVote vote:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    "adaptive_vote(...) returns a mode (the majority vote of its draws, stopped once decided), which follows no stated law", vote.Span);
        }

        var random = BoundTreeWalker.Children(value).Select(LawOf).OfType<GuaranteeInfo>().ToList();
        switch (random.Count)
        {
            case 0:
                return null;
            case 1:
                var only = random[0];
                return only.Level == Guarantee.Heuristic ? only : only with { Target = $"the law of {_context.SourceOf(value.Span)} when {DescribeOperand(only)}" };
            default:
                // Two random values may be dependent (two draws from one population, a draw before and after an smc
                // on it); the compiler does not track their joint law, so it claims none.
                var worst = random.OrderByDescending(r => r.Level).First();
                return worst.Level == Guarantee.Heuristic
                    ? worst
                    : new GuaranteeInfo(Guarantee.Heuristic, "none",
                        $"{_context.SourceOf(value.Span)} combines several random values, whose joint law the compiler does not track", value.Span);
        }
    }

    /// <summary>
    /// The weakest law among random inputs (a prompt, an option, an argument, a condition) that is weaker than exact,
    /// or null. A result computed from such inputs is at most that strong: a text sampled from a prompt that follows
    /// no stated law follows none either, and one from a prompt that is only consistent is only consistent.
    /// </summary>
    private GuaranteeInfo? InputLaw(IEnumerable<BoundExpression> inputs) =>
        inputs.Select(LawOf).OfType<GuaranteeInfo>().Where(l => l.Level != Guarantee.Exact).OrderByDescending(l => l.Level).FirstOrDefault();

    /// <summary>
    /// Caps a law by the laws of its inputs (see <see cref="InputLaw"/>); a law computed from an input that is conditioned
    /// on passing (a rejection sampler's output) is conditioned on passing too: over a random argument, its outputs mix by
    /// each argument's chance of passing.
    /// </summary>
    private GuaranteeInfo Cap(GuaranteeInfo law, IEnumerable<BoundExpression> inputs)
    {
        var laws = inputs.ToList();
        var capped = CapBy(law, InputLaw(laws));
        return capped.ConditionsOnPassing || !laws.Select(LawOf).Any(l => l is { ConditionsOnPassing: true }) ? capped : capped with { ConditionsOnPassing = true };
    }

    private static GuaranteeInfo CapBy(GuaranteeInfo law, GuaranteeInfo? input)
    {
        if (input is null || input.Level <= law.Level)
        {
            return law;
        }

        return input.Level == Guarantee.Heuristic
            ? input
            : law with { Level = input.Level, Reason = $"{law.Reason}; but an input is only {input.LevelName}: {input.Reason}", ReasonSpan = input.ReasonSpan };
    }

    /// <summary>A callee's target names its parameters; at a call site, say what they are: "..., where temperature = 0.5".</summary>
    private string WithArguments(string target, BoundStrategyCall call)
    {
        var bindings = call.Strategy.Parameters
            .Where(p => System.Text.RegularExpressions.Regex.IsMatch(target, $@"\b{p.Name}\b"))
            .Select(p => (p.Name, Value: SourceOrValue(call.Arguments[p.Ordinal]), Law: LawOf(call.Arguments[p.Ordinal])))
            .Where(b => b.Value != b.Name)
            .Select(b => b.Law is { Level: not Guarantee.Heuristic } law ? $"{b.Name} = {b.Value}, which follows {law.Target}" : $"{b.Name} = {b.Value}")
            .ToList();
        return bindings.Count == 0 ? target : $"{target}, where {string.Join(", ", bindings)}";
    }

    private static string DescribeOperand(GuaranteeInfo law) => $"its random part follows {law.Target}";

    private GuaranteeInfo SelectionLaw(BoundSelection selection)
    {
        var name = selection.PopulationSymbol.Name;
        var population = PopulationLaw(selection.PopulationSymbol);
        switch (selection.Kind)
        {
            case SelectionKind.Sample:
                return population.Level switch
                {
                    // A population of rejection samplers' outputs (repeat of a first-callee) stays conditioned on passing.
                    Guarantee.Exact => new GuaranteeInfo(Guarantee.Exact, population.Target,
                        $"sample({name}) draws one particle uniformly from i.i.d. draws of the target", selection.Span) { ConditionsOnPassing = population.ConditionsOnPassing },
                    Guarantee.Consistent => new GuaranteeInfo(Guarantee.Consistent, population.Target,
                        $"sample({name}) draws a particle in proportion to its weight, and its law converges to the target as particles grow, because {population.Reason}", selection.Span),
                    _ => population,
                };
            case SelectionKind.First:
                if (population.Level == Guarantee.Exact && _sharedInput.TryGetValue(selection.PopulationSymbol, out var shared))
                {
                    return new GuaranteeInfo(Guarantee.Heuristic, "none",
                        $"first({name}, where: ...) conditions draws that share a random input ({shared.Target}): the output mixes each input's conditional law by the input's own law, not by its chance of passing, so it follows no stated target",
                        selection.Span);
                }

                if (population.Level == Guarantee.Exact)
                {
                    var fallback = selection.Otherwise is null ? "no output" : $"the fallback {_context.SourceOf(selection.Otherwise.Span)}";
                    var rejection = new GuaranteeInfo(Guarantee.Exact, $"{population.Target}, conditioned on {_context.SourceOf(selection.Key!.Span)}",
                        $"first({name}, where: ...) is rejection sampling: the first of i.i.d. draws that passes follows the target conditioned on passing (when none passes, {fallback})",
                        selection.Span) { ConditionsOnPassing = true };

                    // A random condition or fallback makes the law a mixture the target does not name.
                    var random = new[] { selection.Key, selection.Otherwise }.OfType<BoundExpression>().Select(LawOf).OfType<GuaranteeInfo>().FirstOrDefault();
                    return random is null ? rejection : new GuaranteeInfo(Guarantee.Heuristic, "none",
                        $"first({name}, ...) has a random condition or fallback, whose mixture with the draws the compiler does not track", selection.Span);
                }

                return population.Level == Guarantee.Heuristic ? population : new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"first({name}, where: ...) over a weighted population ignores the weights", selection.Span);
            case SelectionKind.Best:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", $"best({name}, by: ...) returns an argmax, which follows no stated law", selection.Span);
            default:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", $"vote({name}, ...) returns a mode, which follows no stated law", selection.Span);
        }
    }

    private GuaranteeInfo PopulationLaw(LocalSymbol population) =>
        _populationLaw.TryGetValue(population, out var law)
            ? law
            : new GuaranteeInfo(Guarantee.Heuristic, "none", $"the law of '{population.Name}' is unknown", population.DeclarationSpan);

    /// <summary>The law of a population-valued expression: spawn, rank, repeat, speculative, a strategy call, another population.</summary>
    private GuaranteeInfo PopulationLawOf(BoundExpression value, TextSpan span)
    {
        switch (value)
        {
            case BoundSpawn spawn:
                return Cap(new GuaranteeInfo(Guarantee.Exact, $"continuations of {_context.SourceOf(spawn.Prompt.Span) switch { "" => "the empty prompt", var p => p }}",
                    "spawn(...) makes identical particles, to be extended by an smc or search block", span), new[] { spawn.Prompt, spawn.Count });
            case BoundRank rank:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"rank({rank.PopulationSymbol.Name}, ...) keeps the top-scoring particles, which follows no stated law", rank.Span);
            case BoundRepeat repeat:
                var law = LawOf(repeat.Call) ?? new GuaranteeInfo(Guarantee.Exact, "a point mass", "the repeated call does not sample", span);
                return law.Level == Guarantee.Heuristic ? law : law with
                {
                    Reason = $"repeat runs {repeat.Call.Strategy.Name}(...) independently, so the population holds i.i.d. draws of its output law ({law.LevelName})",
                    ReasonSpan = repeat.Span,
                };
            case BoundSpeculative speculative:
                return Cap(new GuaranteeInfo(Guarantee.Exact,
                    GuaranteeInference.DescribeDecodingLaw(speculative.Target.Name, speculative.Prompt, speculative.Options, e => _context.SourceOf(e.Span))
                        + InputLawsInWords(BoundTreeWalker.Options(speculative.Options).Prepend(speculative.Prompt)),
                    $"speculative sampling accepts each draft token with probability min(1, p/q) and redraws rejections from normalize((p - q)+), so every text follows {speculative.Target.Name} exactly (Leviathan et al. 2023; Chen et al. 2023)",
                    speculative.Span), BoundTreeWalker.Options(speculative.Options).Prepend(speculative.Prompt).Append(speculative.Lookahead));
            case BoundStrategyCall call when _inferred.TryGetValue(call.Strategy, out var callee):
                return Cap(callee with { Target = WithArguments(callee.Target, call), Reason = $"{call.Strategy.Name}(...) returns a population that is {callee.LevelName}: {callee.Reason}", ReasonSpan = call.Span }, call.Arguments);
            case BoundLocalReference { Local.IsPopulation: true } reference:
                return PopulationLaw(reference.Local);
            default:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", "the population's law is unknown", span);
        }
    }

    /// <summary>The law of the first random input among <paramref name="inputs"/> (of any level), or null when none is random.</summary>
    private GuaranteeInfo? RandomInput(IEnumerable<BoundExpression> inputs) => inputs.Select(LawOf).OfType<GuaranteeInfo>().FirstOrDefault();

    /// <summary>", where q follows ..." for each random input, so a target drawn from an earlier sample names its law.</summary>
    private string InputLawsInWords(IEnumerable<BoundExpression> inputs)
    {
        var described = inputs.Select(i => (Input: i, Law: LawOf(i)))
            .Where(i => i.Law is { Level: not Guarantee.Heuristic })
            .Select(i => $"{_context.SourceOf(i.Input.Span)} follows {i.Law!.Target}")
            .Distinct()
            .ToList();
        return described.Count == 0 ? "" : $", where {string.Join(" and ", described)}";
    }

    private GuaranteeInfo? SharedOf(LocalSymbol population) => _sharedInput.TryGetValue(population, out var input) ? input : null;

    private void SetShared(LocalSymbol population, GuaranteeInfo? input)
    {
        if (input is null)
        {
            _sharedInput.Remove(population);
        }
        else
        {
            _sharedInput[population] = input;
        }
    }

    /// <summary>The random input the particles of a population-valued expression share, or null.</summary>
    private GuaranteeInfo? SharedInputOf(BoundExpression value) => value switch
    {
        BoundSpawn spawn => RandomInput(new[] { spawn.Prompt, spawn.Count }),
        BoundRank rank => SharedOf(rank.PopulationSymbol),
        BoundRepeat repeat => RandomInput(repeat.Call.Arguments.Append(repeat.Count)),
        BoundSpeculative speculative => RandomInput(BoundTreeWalker.Options(speculative.Options).Prepend(speculative.Prompt).Append(speculative.Lookahead)),
        BoundStrategyCall call => RandomInput(call.Arguments) ?? (_returnsShared.TryGetValue(call.Strategy, out var returned) ? returned : null),
        BoundLocalReference { Local.IsPopulation: true } reference => SharedOf(reference.Local),
        _ => null,
    };

    private string SourceOrValue(BoundExpression expression) =>
        expression is BoundLiteral literal ? Constants.Format(literal.Value) : _context.SourceOf(expression.Span);

    /// <summary>
    /// After an smc block: with weights (factor, observe, condition, a twist or a mask) the population is properly
    /// weighted for the reweighted target (consistent); with none it is still i.i.d. draws of the extended proposal (exact).
    /// </summary>
    private GuaranteeInfo SmcLaw(BoundSmcStatement smc, GuaranteeInfo? before, BlockLaws block)
    {
        if (before is null || before.Level == Guarantee.Heuristic)
        {
            return before ?? PopulationLaw(smc.Population);
        }

        if (smc.Weighted && (SharedOf(smc.Population) ?? block.SharedInputs.FirstOrDefault()) is { } shared)
        {
            return new GuaranteeInfo(Guarantee.Heuristic, "none",
                $"smc {smc.Population.Name} reweights particles that share a random input ({shared.Target}): each run normalizes its weights given that input, so the pooled output mixes per-input targets by the input's law, not the stated target",
                smc.Span);
        }

        var target = $"{before.Target}, {string.Join(", ", block.TargetParts)}, for up to {BudgetMath.Format(smc.Steps)} steps";
        if (smc.Temper is { } temper)
        {
            return new GuaranteeInfo(Guarantee.Heuristic, "none",
                $"smc {smc.Population.Name} with temper = {SourceOrValue(temper)} resamples from the weights raised to a power β ≤ 1 chosen from each run's own ESS and drops the rest of the weight: the particles follow a tempered target that changes with the run (the stated one only where every β is 1)",
                smc.Span);
        }

        var law = !smc.Weighted && before.Level == Guarantee.Exact
            ? new GuaranteeInfo(Guarantee.Exact, target, "extending i.i.d. particles with no weights keeps them i.i.d. draws of the extended law", smc.Span)
            : smc.Iterations is { } iterations
            ? new GuaranteeInfo(Guarantee.Consistent, target,
                $"particle Gibbs (iterations = {SourceOrValue(iterations)}): sweeps of conditional SMC, each an MCMC kernel that leaves the target invariant (Andrieu, Doucet & Holenstein 2010), so the draw converges to the target as sweeps grow, and each sweep is properly weighted as particles grow",
                smc.Span)
            : new GuaranteeInfo(Guarantee.Consistent, target, ResamplingReason, smc.Span);

        // Options or weights computed from random values cap the block's law.
        return CapBy(law, block.InputLaws.OrderByDescending(l => l.Level).FirstOrDefault());
    }

    private GuaranteeInfo ReturnedPopulationLaw(LocalSymbol population)
    {
        var law = PopulationLaw(population);
        return law.Level switch
        {
            Guarantee.Exact => law with { Reason = $"returns '{population.Name}', i.i.d. draws of the target; {law.Reason}" },
            Guarantee.Consistent => law with { Reason = $"returns '{population.Name}', properly weighted for the target; {law.Reason}" },
            _ => law,
        };
    }
}
