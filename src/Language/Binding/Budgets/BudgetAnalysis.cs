using System.Collections.Immutable;
using Tts.Language.Binding.Analysis;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Semantics;

namespace Tts.Language.Binding.Budgets;

/// <summary>
/// Static budgets: what one run of each strategy can spend at most, as int expressions over its parameters, charged
/// statement by statement in order (a loop body times its steps or rounds, a call its callee's bound with the
/// arguments in place; strategies are analysed callees first). Then each declared <c>budget</c> limit is checked
/// against it: exactly when both are constants, else at the parameters' defaults (a warning).
/// </summary>
internal sealed class BudgetAnalysis : IBoundProgramAnalysis
{
    private readonly Dictionary<StrategySymbol, StaticBudget> _budgets = new();

    /// <summary>The particle count of the population each strategy returns, as an expression over its parameters, when known.</summary>
    private readonly Dictionary<StrategySymbol, BoundExpression?> _returnedSizes = new();

    /// <summary>Each population's particle count in the strategy being analysed.</summary>
    private readonly Dictionary<LocalSymbol, BoundExpression> _populationSize = new();

    /// <summary>What the statements walked so far spend (within a loop body: one step of it).</summary>
    private StaticBudget _spent = StaticBudget.Zero;

    public BoundProgram Analyze(BoundProgram program, AnalysisContext context)
    {
        foreach (var strategy in CallOrder.CalleesFirst(program))
        {
            _populationSize.Clear();
            _spent = StaticBudget.Zero;
            Walk(strategy.Symbol, strategy.Body.Concat(strategy.Unreachable));
            _budgets[strategy.Symbol] = _spent;
            CheckDeclared(strategy, _spent, context);
        }

        return program with { Strategies = program.Strategies.Select(s => s with { Budget = _budgets[s.Symbol] }).ToImmutableArray() };
    }

    /// <summary>Constant bounds are checked exactly; bounds over parameters are checked at the defaults (a warning).</summary>
    private static void CheckDeclared(BoundStrategy strategy, StaticBudget bound, AnalysisContext context)
    {
        foreach (var limit in strategy.DeclaredBudget)
        {
            var name = limit.Resource.ToString().ToLowerInvariant();
            var spent = bound[limit.Resource];
            if (BudgetMath.ValueOf(spent) is { } s && BudgetMath.ValueOf(limit.Limit) is { } l)
            {
                if (s > l)
                {
                    context.Report(DiagnosticDescriptors.BudgetExceeded, limit.Span, strategy.Symbol.Name, name, BudgetMath.Shown(s), l);
                }

                continue;
            }

            BoundExpression AtDefault(ParameterSymbol p) =>
                p.DefaultValue is long value ? BudgetMath.Constant(value) : new BoundParameterReference(p, default);
            var spentAtDefaults = BudgetMath.ValueOf(BudgetMath.Substitute(spent, AtDefault));
            var limitAtDefaults = BudgetMath.ValueOf(BudgetMath.Substitute(limit.Limit, AtDefault));
            if (spentAtDefaults > limitAtDefaults)
            {
                context.Report(DiagnosticDescriptors.BudgetExceededAtDefaults, limit.Span, strategy.Symbol.Name, name, BudgetMath.Shown(spentAtDefaults!.Value), limitAtDefaults);
            }
        }
    }

    private void Walk(StrategySymbol strategy, IEnumerable<BoundStatement> statements)
    {
        foreach (var statement in statements)
        {
            Visit(strategy, statement);
        }
    }

    private void Visit(StrategySymbol strategy, BoundStatement statement)
    {
        switch (statement)
        {
            case BoundLetStatement let:
                Charge(let.Value);
                break;
            case BoundReturnStatement ret:
                Charge(ret.Value);
                if (ret.Value is BoundLocalReference { Local.IsPopulation: true } reference)
                {
                    _returnedSizes[strategy] = _populationSize.TryGetValue(reference.Local, out var size) ? size : null;
                }

                break;
            case BoundSampleStatement sample:
                _populationSize[sample.Population] = sample.Options.Count;
                ChargeDecode(sample.Options.Count, sample.Options.MaxTokens, prefill: true);
                break;
            case BoundRaceStatement race:
                // The race keeps `first` particles, but decodes all n until they finish.
                _populationSize[race.Population] = race.First;
                ChargeDecode(race.Options.Count, race.Options.MaxTokens, prefill: true);
                break;
            case BoundPopulationStatement population:
                Charge(population.Value);
                if (SizeOf(population.Value) is { } count)
                {
                    _populationSize[population.Population] = count;
                }

                break;
            case BoundSmcStatement smc:
                // Particle Gibbs runs the whole block once per sweep.
                ChargeLoop(strategy, smc.Body, smc.Iterations is null ? smc.Steps : BudgetMath.Multiply(smc.Iterations, smc.Steps));
                break;
            case BoundSearchStatement { Method: SearchMethod.Mcts or SearchMethod.Puct } mcts:
                // Each step is one simulation, which extends and scores one new node; every node is kept.
                _populationSize[mcts.Population] = BudgetMath.One;
                ChargeLoop(strategy, mcts.Body, mcts.Steps);
                _populationSize[mcts.Population] = mcts.Steps;
                break;
            case BoundSearchStatement search:
                // The first step expands every particle the search starts from, which may be more than the beams it keeps.
                var beams = BudgetMath.Multiply(search.Width, search.Groups);
                var initial = _populationSize.TryGetValue(search.Population, out var start) ? start : BudgetMath.One;
                var widest = BudgetMath.ValueOf(initial) is { } i && BudgetMath.ValueOf(beams) is { } b ? BudgetMath.Constant(Math.Max(i, b)) : BudgetMath.Add(initial, beams);
                _populationSize[search.Population] = BudgetMath.Multiply(widest, search.Expand);
                ChargeLoop(strategy, search.Body, search.Steps);
                _populationSize[search.Population] = beams;
                break;
            case BoundFailedBlock failed:
                ChargeLoop(strategy, failed.Body, failed.Steps);
                break;
            case BoundForkStatement fork:
                Walk(strategy, fork.Body);
                break;
            case BoundExtendStatement extend:
                ChargeDecode(_populationSize.TryGetValue(extend.Population, out var particles) ? particles : BudgetMath.One, extend.Options.MaxTokens, prefill: false);
                break;
            case BoundReextendStatement reextend:
                // Worst case every particle's step is redrawn: the redrawing model decodes max_tokens per particle, after
                // one prefill of the particles' texts, and the draft model prefills the redrawn steps once (two calls).
                Charge(reextend.Condition ?? reextend.Acceptance!);
                ChargeDecode(_populationSize.TryGetValue(reextend.Population, out var redrawn) ? redrawn : BudgetMath.One, reextend.Options.MaxTokens, prefill: true);
                _spent = _spent.Plus(new StaticBudget(BudgetMath.Zero, BudgetMath.One, BudgetMath.Zero));
                break;
            case BoundParticleUpdate update:
                Charge(update.Value);
                break;
            case BoundBadStatement bad:
                Visit(strategy, bad.Statement);
                break;
            case BoundRefineStatement refine:
                Charge(refine.Initial);
                var outer = _spent;
                _spent = StaticBudget.Zero;
                if (refine.Until is { } until)
                {
                    Charge(until);
                }

                Charge(refine.Step);
                _spent = outer.Plus(_spent.Times(refine.Rounds));
                break;
        }
    }

    /// <summary>A loop body in its own account; what one step spends is charged steps times.</summary>
    private void ChargeLoop(StrategySymbol strategy, IEnumerable<BoundStatement> body, BoundExpression steps)
    {
        var outer = _spent;
        _spent = StaticBudget.Zero;
        Walk(strategy, body);
        _spent = outer.Plus(_spent.Times(steps));
    }

    /// <summary>Tokens: each particle may generate max_tokens; calls: one batched step per token, plus the prefill.</summary>
    private void ChargeDecode(BoundExpression particles, BoundExpression maxTokens, bool prefill)
    {
        var tokens = BudgetMath.Multiply(particles, maxTokens);
        var calls = prefill ? BudgetMath.Add(maxTokens, BudgetMath.One) : maxTokens;
        _spent = _spent.Plus(new StaticBudget(tokens, calls, BudgetMath.Zero));
    }

    /// <summary>Charges what evaluating an expression spends: reward calls, strategy calls, repeats, speculative decoding.</summary>
    private void Charge(BoundExpression expression) => _spent = _spent.Plus(CostOf(expression));

    private StaticBudget CostOf(BoundExpression expression)
    {
        switch (expression)
        {
            case BoundFunctionCall call:
                var scored = call.Argument.Population is { } population && _populationSize.TryGetValue(population, out var size) ? size : BudgetMath.One;
                return CostOf(call.Argument).Plus(new StaticBudget(BudgetMath.Zero, BudgetMath.Zero, scored));
            case BoundAdaptiveVote vote:
            {
                // Stopping early only saves: at most all n draws, each wave one prefill-free decode of max_tokens steps
                // (at most n waves), plus the one prefill; an extractor reads each draw once.
                var inputs = BoundTreeWalker.Children(vote).Aggregate(StaticBudget.Zero, (b, child) => b.Plus(CostOf(child)));
                var drawn = BudgetMath.Multiply(vote.Options.Count, vote.Options.MaxTokens);
                var extracted = vote.Key == AdaptiveVoteKey.Extractor ? vote.Options.Count : BudgetMath.Zero;
                return inputs.Plus(new StaticBudget(drawn, BudgetMath.Add(drawn, BudgetMath.One), extracted));
            }
            case BoundStepLogProb stepLogProb:
                // One scoring request per particle's step, as logp.
                return new StaticBudget(BudgetMath.Zero, BudgetMath.Zero,
                    _populationSize.TryGetValue(stepLogProb.PopulationSymbol, out var steps) ? steps : BudgetMath.One);
            case BoundLogProb logProb:
                // A likelihood is one scoring request per text, counted as reward-model scorings are.
                var texts = logProb.Population is { } scoredPopulation && _populationSize.TryGetValue(scoredPopulation, out var count) ? count : BudgetMath.One;
                return CostOf(logProb.Text).Plus(CostOf(logProb.After)).Plus(new StaticBudget(BudgetMath.Zero, BudgetMath.Zero, texts));
            case BoundStrategyCall call when _budgets.TryGetValue(call.Strategy, out var callee):
                BoundExpression ArgumentOf(ParameterSymbol p) => call.Arguments[p.Ordinal];
                return call.Arguments.Aggregate(StaticBudget.Zero, (b, a) => b.Plus(CostOf(a))).Plus(new StaticBudget(
                    BudgetMath.Substitute(callee.Tokens, ArgumentOf),
                    BudgetMath.Substitute(callee.Calls, ArgumentOf),
                    BudgetMath.Substitute(callee.Rewards, ArgumentOf)));
            case BoundSpawn spawn:
                // The prompt is prefilled once, when the population is created.
                return CostOf(spawn.Count).Plus(CostOf(spawn.Prompt)).Plus(new StaticBudget(BudgetMath.Zero, BudgetMath.One, BudgetMath.Zero));
            case BoundRepeat repeat:
                return CostOf(repeat.Count).Plus(CostOf(repeat.Call).Times(repeat.Count));
            case BoundSpeculative speculative:
                // Worst case, every round accepts one token: the draft proposes k tokens (k calls) and the target checks
                // them (one call) per emitted token. Draft tokens count as generated tokens.
                var rounds = BudgetMath.Add(speculative.Lookahead, BudgetMath.One);
                var tokens = BudgetMath.Multiply(rounds, BudgetMath.Multiply(speculative.Options.Count, speculative.Options.MaxTokens));
                var calls = BudgetMath.Multiply(rounds, BudgetMath.Add(speculative.Options.MaxTokens, BudgetMath.One));
                return new StaticBudget(tokens, calls, BudgetMath.Zero);
            default:
                return BoundTreeWalker.Children(expression).Aggregate(StaticBudget.Zero, (b, child) => b.Plus(CostOf(child)));
        }
    }

    /// <summary>The particle count of a population-valued expression, when it can be said.</summary>
    private BoundExpression? SizeOf(BoundExpression value) => value switch
    {
        BoundSpawn spawn => spawn.Count,
        BoundRank rank => rank.Top,
        BoundRepeat repeat => repeat.Count,
        BoundSpeculative speculative => speculative.Options.Count,
        BoundLocalReference reference when _populationSize.TryGetValue(reference.Local, out var size) => size,
        BoundStrategyCall call when _returnedSizes.TryGetValue(call.Strategy, out var returned) && returned is not null =>
            BudgetMath.Substitute(returned, p => call.Arguments[p.Ordinal]),
        _ => null,
    };
}
