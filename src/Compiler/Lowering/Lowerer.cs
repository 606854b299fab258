using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Compiler.Lowering;

/// <summary>
/// Lowers a bound strategy to IR. `population x = sample m(p, ...)` becomes spawn → prefill → decode; smc and search
/// become loop instructions whose region is the block's body; selections become select/reduce instructions; `let`
/// introduces no instruction (SSA names the value); a `fork` is its statements in order (the binder made them
/// independent). Strategy calls stay calls: inlining is a pass.
/// Random instructions get stream numbers in source order, so a seed means the same thing after any pass.
/// </summary>
public sealed class Lowerer
{
    private List<IrInstruction> _instructions = new();
    private readonly Dictionary<LocalSymbol, IrValue> _locals = new();
    private readonly Dictionary<ParameterSymbol, IrValue> _parameters = new();
    private readonly BoundStrategy _strategy;
    private int _nextId;
    private int _nextStream;

    private Lowerer(BoundStrategy strategy)
    {
        _strategy = strategy;
    }

    /// <summary>Lowers every strategy the IR can express; see <see cref="Unsupported"/> for the others.</summary>
    public static IrModule Lower(BoundProgram program) =>
        new(program.Models.Select(m => m.Name).ToImmutableArray(),
            program.Strategies.Where(s => Unsupported(s, program) is null).Select(Lower).ToImmutableArray());

    /// <summary>
    /// Why this strategy cannot run, or null: a spawned population no block ever extends has no model, and a strategy
    /// calling one that cannot run cannot run either (the binder rejects cycles, so the walk ends).
    /// </summary>
    public static string? Unsupported(BoundStrategy strategy, BoundProgram program) =>
        Unsupported(strategy, program, new Dictionary<BoundStrategy, string?>());

    /// <summary>Each strategy's answer is worked out once (<paramref name="known"/>): a chain of calls fanning out is not walked per path.</summary>
    private static string? Unsupported(BoundStrategy strategy, BoundProgram program, Dictionary<BoundStrategy, string?> known)
    {
        if (known.TryGetValue(strategy, out var answer))
        {
            return answer;
        }

        known[strategy] = null; // the binder rejects cycles; should one reach here, it ends the walk
        answer = UnsupportedItself(strategy);
        if (answer is null)
        {
            var callees = strategy.Body.SelectMany(BoundTreeWalker.Statements).SelectMany(BoundTreeWalker.Expressions)
                .OfType<BoundStrategyCall>().Select(c => c.Strategy.Name).Distinct();
            foreach (var callee in callees)
            {
                if (program.FindStrategy(callee) is { } bound && Unsupported(bound, program, known) is { } inner)
                {
                    answer = $"it calls '{callee}', which cannot run: {inner}";
                    break;
                }
            }
        }

        known[strategy] = answer;
        return answer;
    }

    private static string? UnsupportedItself(BoundStrategy strategy)
    {
        var statements = strategy.Body.SelectMany(BoundTreeWalker.Statements).ToList();
        foreach (var population in statements.OfType<BoundPopulationStatement>().Where(p => p.Value is BoundSpawn))
        {
            if (ModelExtending(statements, population.Population) is null)
            {
                return $"`{population.Population.Name}` is spawned but no smc or search block extends it, so no model is known to prefill its prompt";
            }
        }

        return null;
    }

    public static IrFunction Lower(BoundStrategy strategy)
    {
        var lowerer = new Lowerer(strategy);
        foreach (var parameter in strategy.Symbol.Parameters)
        {
            lowerer._parameters[parameter] = lowerer.Emit(IrType.Single(parameter.Type), r => new IrParameter(r, parameter.Name));
        }

        foreach (var limit in strategy.DeclaredBudget)
        {
            lowerer._instructions.Add(new IrBudget(limit.Resource, lowerer.LowerExpression(limit.Limit)));
        }

        foreach (var statement in strategy.Body)
        {
            lowerer.LowerStatement(statement);
        }

        var function = new IrFunction(
            strategy.Symbol.Name, strategy.Symbol.Parameters, strategy.Symbol.ReturnType, strategy.Guarantee, lowerer._instructions.ToImmutableArray());
        IrVerifier.Verify(function, "lowering");
        return function;
    }

    private static ModelSymbol? ModelExtending(IEnumerable<BoundStatement> statements, LocalSymbol population) =>
        statements.OfType<BoundExtendStatement>().FirstOrDefault(e => e.Population == population)?.Model;

    private void LowerStatement(BoundStatement statement)
    {
        switch (statement)
        {
            case BoundSampleStatement sample:
                _locals[sample.Population] = LowerDecode(sample.Model, sample.Prompt, sample.Options, null);
                break;
            case BoundRaceStatement race:
                _locals[race.Population] = LowerDecode(race.Model, race.Prompt, race.Options, race.First);
                break;
            case BoundPopulationStatement population:
                _locals[population.Population] = LowerPopulation(population);
                break;
            case BoundSmcStatement smc:
                LowerSmc(smc);
                break;
            case BoundSearchStatement search:
                LowerSearch(search);
                break;
            case BoundExtendStatement extend:
                var weighted = IsInSmc(extend.Population);
                var options = LowerOptions(extend.Options);
                var current = _locals[extend.Population];
                var stream = _nextStream++;
                _locals[extend.Population] = Emit(IrType.PopulationType, r => new IrExtend(r, current, extend.Model.Name, options, weighted, stream));
                break;
            case BoundReextendStatement reextend:
            {
                var judge = LowerExpression(reextend.Condition ?? reextend.Acceptance!);
                var redrawOptions = LowerOptions(reextend.Options);
                var drafted = _locals[reextend.Population];
                var redrawStream = _nextStream++;
                _locals[reextend.Population] = Emit(IrType.PopulationType, r => new IrReextend(r, drafted, reextend.Model.Name, redrawOptions,
                    reextend.Condition is null ? null : judge, reextend.Acceptance is null ? null : judge, reextend.LogBound is not null, redrawStream));
                break;
            }

            case BoundParticleUpdate update:
                LowerUpdate(update);
                break;
            case BoundForkStatement fork:
                foreach (var branch in fork.Body)
                {
                    LowerStatement(branch);
                }

                break;
            case BoundRefineStatement refine:
                LowerRefine(refine);
                break;
            case BoundLetStatement let:
                _locals[let.Local] = LowerExpression(let.Value);
                break;
            case BoundReturnStatement ret:
                _instructions.Add(new IrReturn(LowerExpression(ret.Value)));
                break;
            default:
                throw new InvalidOperationException($"cannot lower {statement.GetType().Name}");
        }
    }

    private readonly HashSet<LocalSymbol> _smcPopulations = new();

    private bool IsInSmc(LocalSymbol population) => _smcPopulations.Contains(population);

    private IrValue LowerDecode(ModelSymbol model, BoundExpression promptExpression, BoundDecodeOptions options, BoundExpression? first)
    {
        var count = LowerExpression(options.Count);
        var prompt = LowerExpression(promptExpression);
        var decodeOptions = LowerOptions(options);
        var firstValue = first is null ? null : LowerExpression(first);
        var prefilled = SpawnAndPrefill(count, model.Name, prompt);
        var stream = _nextStream++;
        return Emit(IrType.PopulationType, r => new IrDecode(r, prefilled, model.Name, decodeOptions, stream, firstValue));
    }

    private IrValue SpawnAndPrefill(IrValue count, string model, IrValue prompt)
    {
        var spawned = Emit(IrType.PopulationType, r => new IrSpawn(r, count));
        return Emit(IrType.PopulationType, r => new IrPrefill(r, spawned, model, prompt));
    }

    private IrDecodeOptions LowerOptions(BoundDecodeOptions options) => new(
        LowerExpression(options.Temperature),
        LowerExpression(options.TopK),
        LowerExpression(options.TopP),
        LowerExpression(options.MinP),
        LowerExpression(options.MaxTokens),
        LowerExpression(options.Stop),
        LowerExpression(options.Forbid));

    private IrValue LowerPopulation(BoundPopulationStatement statement)
    {
        switch (statement.Value)
        {
            case BoundSpawn spawn:
                var model = ModelExtending(_strategy.Body.SelectMany(BoundTreeWalker.Statements), statement.Population)!;
                return SpawnAndPrefill(LowerExpression(spawn.Count), model.Name, LowerExpression(spawn.Prompt));
            case BoundRank rank:
                var population = _locals[rank.PopulationSymbol];
                var key = LowerExpression(rank.By);
                var top = LowerExpression(rank.Top);
                return Emit(IrType.PopulationType, r => new IrRank(r, population, key, top));
            case BoundSpeculative speculative:
                var count = LowerExpression(speculative.Options.Count);
                var lookahead = LowerExpression(speculative.Lookahead);
                var prompt = LowerExpression(speculative.Prompt);
                var options = LowerOptions(speculative.Options);
                var stream = _nextStream++;
                return Emit(IrType.PopulationType,
                    r => new IrSpeculative(r, count, speculative.Target.Name, speculative.Draft.Name, lookahead, prompt, options, stream));
            case BoundRepeat repeat:
                var members = LowerExpression(repeat.Count);
                var repeatStream = _nextStream++;
                var member = LowerRegion(ImmutableArray<IrValue>.Empty, () => LowerExpression(repeat.Call));
                return Emit(IrType.PopulationType, r => new IrRepeat(r, members, member, repeatStream));
            default:
                return LowerExpression(statement.Value);
        }
    }

    private void LowerSmc(BoundSmcStatement smc)
    {
        var population = _locals[smc.Population];
        var steps = LowerExpression(smc.Steps);
        var ess = smc.EssThreshold is null ? null : LowerExpression(smc.EssThreshold);
        var temper = smc.Temper is null ? null : LowerExpression(smc.Temper);
        var iterations = smc.Iterations is null ? null : LowerExpression(smc.Iterations);
        _smcPopulations.Add(smc.Population);
        var body = LowerBlockBody(smc.Population, smc.Body, () =>
        {
            if (smc.Resample != ResampleMethod.None)
            {
                var current = _locals[smc.Population];
                var stream = _nextStream++;
                _locals[smc.Population] = Emit(IrType.PopulationType, r => new IrResample(r, current, smc.Resample, ess, stream, temper));
            }
        });
        _smcPopulations.Remove(smc.Population);
        if (iterations is null)
        {
            _locals[smc.Population] = Emit(IrType.PopulationType, r => new IrSmc(r, population, steps, body));
            return;
        }

        var gibbsStream = _nextStream++;
        _locals[smc.Population] = Emit(IrType.PopulationType, r => new IrParticleGibbs(r, population, steps, iterations, body, gibbsStream));
    }

    private void LowerSearch(BoundSearchStatement search)
    {
        var population = _locals[search.Population];
        var width = LowerExpression(search.Width);
        var expand = LowerExpression(search.Expand);
        var groups = LowerExpression(search.Groups);
        var steps = LowerExpression(search.Steps);
        var explore = search.Explore is null ? null : LowerExpression(search.Explore);
        var body = LowerBlockBody(search.Population, search.Body, () => { });
        _locals[search.Population] = Emit(IrType.PopulationType, r => new IrSearch(r, population, search.Method, width, expand, groups, steps, body, explore));
    }

    /// <summary>A loop body: its parameter is the population at the start of a step; block locals do not escape.</summary>
    private IrRegion LowerBlockBody(LocalSymbol population, ImmutableArray<BoundStatement> body, Action epilogue)
    {
        var outer = _locals[population];
        var parameter = NewValue(IrType.PopulationType);
        _locals[population] = parameter;
        var region = LowerRegion(ImmutableArray.Create(parameter), () =>
        {
            foreach (var statement in body)
            {
                LowerStatement(statement);
            }

            epilogue();
            return _locals[population];
        });
        _locals[population] = outer;
        return region;
    }

    private void LowerUpdate(BoundParticleUpdate update)
    {
        var current = _locals[update.Population];
        var value = LowerExpression(update.Value);
        _locals[update.Population] = update.Kind switch
        {
            ParticleUpdateKind.Twist => Emit(IrType.PopulationType, r => new IrTwist(r, current, value)),
            ParticleUpdateKind.Score => Emit(IrType.PopulationType, r => new IrScore(r, current, value)),

            _ => Emit(IrType.PopulationType, r => new IrReweight(r, current, update.Kind, value)),
        };
    }

    private void LowerRefine(BoundRefineStatement refine)
    {
        var initial = LowerExpression(refine.Initial);
        var rounds = LowerExpression(refine.Rounds);
        var stream = _nextStream++;
        IrRegion Over(BoundExpression expression)
        {
            var parameter = NewValue(initial.Type);
            _locals[refine.Local] = parameter;
            return LowerRegion(ImmutableArray.Create(parameter), () => LowerExpression(expression));
        }

        var step = Over(refine.Step);
        var until = refine.Until is null ? null : Over(refine.Until);
        _locals[refine.Local] = Emit(initial.Type, r => new IrRefine(r, initial, rounds, step, until, stream));
    }

    private IrRegion LowerRegion(ImmutableArray<IrValue> parameters, Func<IrValue> body)
    {
        var outer = _instructions;
        _instructions = new List<IrInstruction>();
        var yield = body();
        var region = new IrRegion(parameters, _instructions.ToImmutableArray(), yield);
        _instructions = outer;
        return region;
    }

    private IrValue LowerExpression(BoundExpression expression)
    {
        switch (expression)
        {
            case BoundLiteral literal:
                return Emit(IrType.Single(literal.Type), r => new IrConstant(r, literal.Value));
            case BoundParameterReference parameter:
                return _parameters[parameter.Parameter];
            case BoundLocalReference local:
                return _locals[local.Local];
            case BoundParticleText text:
                var population = _locals[text.PopulationSymbol];
                return Emit(IrType.PerParticle(TtsType.Text, population), r => new IrParticleText(r, population));
            case BoundBuiltinCall call:
                var arguments = call.Arguments.Select(LowerExpression).ToImmutableArray();
                return Emit(TypeOf(call), r => new IrCall(r, call.Function, arguments));
            case BoundUnary unary:
                var operand = LowerExpression(unary.Operand);
                return Emit(TypeOf(unary), r => new IrUnary(r, unary.Operator, operand));
            case BoundBinary binary:
                var left = LowerExpression(binary.Left);
                var right = LowerExpression(binary.Right);
                return Emit(TypeOf(binary), r => new IrBinary(r, binary.Operator, left, right));
            case BoundList list:
                var elements = list.Elements.Select(LowerExpression).ToImmutableArray();
                return Emit(IrType.Single(list.Type), r => new IrList(r, elements));
            case BoundSelection selection:
                return LowerSelection(selection);
            case BoundFunctionCall call:
                var argument = LowerExpression(call.Argument);
                return Emit(TypeOf(call), r => new IrCallFunction(r, call.Function.Name, call.Function.Kind, call.Function.ResultType, argument));
            case BoundAdaptiveVote vote:
            {
                var count = LowerExpression(vote.Options.Count);
                var prompt = LowerExpression(vote.Prompt);
                var options = LowerOptions(vote.Options);
                var wave = LowerExpression(vote.Wave);
                var voteStream = _nextStream++;
                return Emit(IrType.Single(TtsType.Text), r => new IrAdaptiveVote(
                    r, count, vote.Model.Name, prompt, options, wave, vote.Key == AdaptiveVoteKey.Answer, vote.Extractor?.Name, voteStream));
            }

            case BoundStepLogProb stepLogProb:
                var stepped = _locals[stepLogProb.PopulationSymbol];
                return Emit(TypeOf(stepLogProb), r => new IrStepLogProb(r, stepLogProb.Model.Name, stepped));
            case BoundLogProb logProb:
                var scored = LowerExpression(logProb.Text);
                var after = LowerExpression(logProb.After);
                var particles = logProb.Particles is { } particlesSymbol ? _locals[particlesSymbol] : null;
                return Emit(TypeOf(logProb), r => new IrLogProb(r, logProb.Model.Name, scored, after, particles));
            case BoundStrategyCall call:
                var callArguments = call.Arguments.Select(LowerExpression).ToImmutableArray();
                var stream = _nextStream++;
                var type = call.Strategy.ReturnType.Kind == TypeKind.Population ? IrType.PopulationType : IrType.Single(call.Strategy.ReturnType);
                return Emit(type, r => new IrCallStrategy(r, call.Strategy.Name, callArguments, stream));
            default:
                throw new InvalidOperationException($"cannot lower {expression.GetType().Name}: the binder should have reported it");
        }
    }

    private IrValue LowerSelection(BoundSelection selection)
    {
        var population = _locals[selection.PopulationSymbol];
        switch (selection.Kind)
        {
            case SelectionKind.Sample:
                var stream = _nextStream++;
                return Emit(IrType.Single(selection.Type), r => new IrSelectSample(r, population, stream));
            case SelectionKind.Best:
                var score = LowerExpression(selection.Key!);
                return Emit(IrType.Single(selection.Type), r => new IrSelectBest(r, population, score));
            case SelectionKind.First:
                var condition = LowerExpression(selection.Key!);
                var otherwise = selection.Otherwise is null ? null : LowerExpression(selection.Otherwise);
                return Emit(IrType.Single(selection.Type), r => new IrSelectFirst(r, population, condition, otherwise));
            default:
                // vote(xs) without a key votes on the whole text.
                var key = selection.Key is null
                    ? Emit(IrType.PerParticle(TtsType.Text, population), r => new IrParticleText(r, population))
                    : LowerExpression(selection.Key);
                var weight = selection.Weight is null ? null : LowerExpression(selection.Weight);
                return Emit(IrType.Single(selection.Type), r => new IrReduceVote(r, population, key, weight));
        }
    }

    private IrType TypeOf(BoundExpression expression) =>
        expression.Population is { } population ? IrType.PerParticle(expression.Type, _locals[population]) : IrType.Single(expression.Type);

    private IrValue NewValue(IrType type) => new(_nextId++, type);

    private IrValue Emit(IrType type, Func<IrValue, IrInstruction> create)
    {
        var result = NewValue(type);
        _instructions.Add(create(result));
        return result;
    }
}
