using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

public sealed partial class Binder
{
    private enum BlockKind
    {
        Body,
        Smc,
        Search,
        Fork,
    }

    /// <summary>Where a statement is: the strategy body, an smc or search block over a population, or a fork.</summary>
    private sealed class BlockContext
    {
        public static readonly BlockContext Body = new(BlockKind.Body, null);

        public BlockContext(BlockKind kind, LocalSymbol? population)
        {
            Kind = kind;
            Population = population;
        }

        public BlockKind Kind { get; }

        public LocalSymbol? Population { get; }

        /// <summary>In smc: whether anything weights the population, how often it is twisted, and the target's parts in words.</summary>
        public bool Weighted { get; set; }

        public int Twists { get; set; }

        public List<string> TargetParts { get; } = new();

        /// <summary>Laws of random inputs of the block (options of `extend`) that are weaker than exact.</summary>
        public List<GuaranteeInfo> InputLaws { get; } = new();
    }

    /// <summary>What the binder tracks through one strategy body.</summary>
    private sealed class StrategyState
    {
        public StrategyState(StrategySymbol symbol) => Symbol = symbol;

        public StrategySymbol Symbol { get; }

        /// <summary>Each population's current law: exact = i.i.d. draws of the target, consistent = properly weighted for it.</summary>
        public Dictionary<LocalSymbol, GuaranteeInfo> PopulationLaw { get; } = new();

        /// <summary>Each population's particle count, as an int expression over the parameters.</summary>
        public Dictionary<LocalSymbol, BoundExpression> PopulationSize { get; } = new();

        /// <summary>The law of each random let value; deterministic values are absent.</summary>
        public Dictionary<LocalSymbol, GuaranteeInfo> ValueLaw { get; } = new();

        public StaticBudget Budget { get; set; } = StaticBudget.Zero;

        public GuaranteeInfo? Returned { get; set; }

        public BoundExpression? ReturnedSize { get; set; }

        /// <summary>Locals of loop bodies, which go out of scope with their block but are still checked for use.</summary>
        public List<LocalSymbol> NestedLocals { get; } = new();

        /// <summary>Names declared by the branches of the fork being bound (branches may not read each other).</summary>
        public HashSet<LocalSymbol>? ForkDeclared { get; set; }
    }

    private readonly Dictionary<StrategySymbol, BoundExpression?> _returnedSizes = new();

    private ImmutableArray<BoundStatement> BindBlock(IEnumerable<StatementSyntax> statements, Scope scope, BlockContext context)
    {
        var bound = ImmutableArray.CreateBuilder<BoundStatement>();
        var returned = false;
        var reportedUnreachable = false;
        foreach (var statement in statements)
        {
            if (returned && !reportedUnreachable)
            {
                Report(DiagnosticDescriptors.UnreachableStatement, statement.Span);
                reportedUnreachable = true;
            }

            if (!IsAllowed(statement, context))
            {
                continue;
            }

            var result = BindStatement(statement, scope, context);
            if (result is not null && !returned)
            {
                bound.Add(result);
            }

            returned |= statement is ReturnStatementSyntax;
        }

        return bound.ToImmutable();
    }

    /// <summary>Effects are confined: weights only in smc, scores only in search, returns only at the top of a body.</summary>
    private bool IsAllowed(StatementSyntax statement, BlockContext context)
    {
        var keyword = Keyword(statement);
        string? rule = (statement, context.Kind) switch
        {
            (ParticleUpdateSyntax { Kind: ParticleUpdateKind.Factor or ParticleUpdateKind.Observe or ParticleUpdateKind.Twist }, not BlockKind.Smc) =>
                "inside an `smc` block over the population: weights outside SMC would change the target with nothing to correct for it",
            (ParticleUpdateSyntax { Kind: ParticleUpdateKind.Condition }, not (BlockKind.Smc or BlockKind.Search)) =>
                "inside an `smc` or `search` block over the population (for one answer, use first(xs, where: ...))",
            (ParticleUpdateSyntax { Kind: ParticleUpdateKind.Score }, not BlockKind.Search) =>
                "inside a `search` block over the population (to select by a score elsewhere, use best or rank)",
            (ExtendStatementSyntax, not (BlockKind.Smc or BlockKind.Search)) =>
                "inside an `smc` or `search` block over the population (to draw whole texts, use `population x = sample m(...)`)",
            _ => null,
        };
        if (rule is not null)
        {
            Report(DiagnosticDescriptors.EffectOutsideBlock, statement.Span, keyword, rule);
            return false;
        }

        string? where = (statement, context.Kind) switch
        {
            (ReturnStatementSyntax, not BlockKind.Body) => "inside a block: return after the block ends",
            (PopulationStatementSyntax or SmcStatementSyntax or SearchStatementSyntax or ForkStatementSyntax or RefineStatementSyntax,
                BlockKind.Smc or BlockKind.Search) => "inside an smc or search block, which may only extend, weight, score and compute values",
            (SmcStatementSyntax or SearchStatementSyntax or ForkStatementSyntax or RefineStatementSyntax, BlockKind.Fork) =>
                "inside a fork, whose branches are `let` and `population` statements",
            _ => null,
        };
        if (where is not null)
        {
            Report(DiagnosticDescriptors.StatementNotAllowed, statement.Span, keyword, where);
            return false;
        }

        return true;
    }

    private static string Keyword(StatementSyntax statement) => statement switch
    {
        LetStatementSyntax => "let",
        PopulationStatementSyntax => "population",
        SmcStatementSyntax => "smc",
        SearchStatementSyntax => "search",
        ExtendStatementSyntax => "extend",
        ParticleUpdateSyntax update => update.Kind.ToString().ToLowerInvariant(),
        ForkStatementSyntax => "fork",
        RefineStatementSyntax => "refine",
        _ => "return",
    };

    private BoundStatement? BindStatement(StatementSyntax syntax, Scope scope, BlockContext context)
    {
        switch (syntax)
        {
            case LetStatementSyntax let:
                return BindLet(let, scope);
            case PopulationStatementSyntax population:
                return BindPopulationStatement(population, scope);
            case SmcStatementSyntax smc:
                return BindSmc(smc, scope);
            case SearchStatementSyntax search:
                return BindSearch(search, scope);
            case ExtendStatementSyntax extend:
                return BindExtend(extend, scope, context);
            case ParticleUpdateSyntax update:
                return BindParticleUpdate(update, scope, context);
            case ForkStatementSyntax fork:
                return BindFork(fork, scope);
            case RefineStatementSyntax refine:
                return BindRefine(refine, scope);
            case ReturnStatementSyntax ret:
                return BindReturn(ret, scope);
            default:
                return null;
        }
    }

    private BoundStatement BindLet(LetStatementSyntax let, Scope scope)
    {
        var value = BindExpression(let.Value, scope);
        if (value.Type.Kind == TypeKind.Population)
        {
            value = ReportPopulationAsValue(value, "value (declare populations with `population`)");
        }

        ChargeExpression(value);
        var local = new LocalSymbol(let.Name.Name, value.Type, value.Population, let.Name.Span);
        DeclareLocal(scope, let.Name, local);
        if (LawOf(value) is { } law)
        {
            _strategy.ValueLaw[local] = law;
        }

        return new BoundLetStatement(local, value, let.Span);
    }

    private BoundStatement BindReturn(ReturnStatementSyntax ret, Scope scope)
    {
        var strategy = _strategy.Symbol;
        var result = BindExpression(ret.Value, scope);
        if (result.Type.Kind == TypeKind.Population && strategy.ReturnType.Kind != TypeKind.Population)
        {
            result = ReportPopulationAsValue(result, strategy.ReturnType.ToString());
        }
        else if (result.Population is { } population)
        {
            Report(DiagnosticDescriptors.PerParticleValueNotAllowed, result.Span, "the returned value", population.Name);
            result = new BoundErrorExpression(result.Span);
        }
        else if (!IsAssignable(result, strategy.ReturnType))
        {
            Report(DiagnosticDescriptors.ReturnTypeMismatch, result.Span, strategy.Name, strategy.ReturnType, result.Type);
            result = new BoundErrorExpression(result.Span);
        }

        ChargeExpression(result);
        if (result is BoundLocalReference { Local.IsPopulation: true } populationReference)
        {
            _strategy.Returned = ReturnedPopulationLaw(populationReference.Local, ret.Span);
            _returnedSizes[strategy] = _strategy.PopulationSize.TryGetValue(populationReference.Local, out var size) ? size : null;
        }
        else
        {
            _strategy.Returned = LawOf(result) ?? new GuaranteeInfo(Guarantee.Exact, "a point mass on the returned value",
                "the returned value does not depend on any sampling", ret.Span);
        }

        return new BoundReturnStatement(result, ret.Span);
    }

    private BoundStatement? BindPopulationStatement(PopulationStatementSyntax statement, Scope scope)
    {
        var local = new LocalSymbol(statement.Name.Name, TtsType.Population, null, statement.Name.Span);
        BoundStatement? bound;
        switch (statement.Source)
        {
            case SampleSourceSyntax sample:
            {
                var model = LookupModel(sample.Model);
                var (prompt, options) = BindDecodeCall(sample.Model, sample.Arguments, scope, DecodeOptionRules.Names, "sample", extra: null);
                bound = model is null ? null : new BoundSampleStatement(local, model, prompt, options, statement.Span);
                if (bound is BoundSampleStatement s)
                {
                    _strategy.PopulationLaw[local] = Cap(new GuaranteeInfo(Guarantee.Exact,
                        GuaranteeInference.DescribeDecodingLaw(s, e => SourceOf(e.Span)),
                        $"sample {s.Model.Name}(...) draws i.i.d. texts from the decoding law", statement.Span), BoundTreeWalker.Options(options).Prepend(prompt));
                    _strategy.PopulationSize[local] = options.Count;
                    ChargeDecode(options.Count, options.MaxTokens, prefill: true);
                }

                break;
            }

            case RaceSourceSyntax race:
            {
                var model = LookupModel(race.Model);
                var (prompt, options) = BindDecodeCall(race.Model, race.Arguments, scope, DecodeOptionRules.Names, "race", extra: null);
                var first = BindSingleValue(race.First, scope, "the `first` count of race", TtsType.Int);
                if (ConstantFolder.TryEvaluate(first) is long m && ConstantFolder.TryEvaluate(options.Count) is long n && (m < 1 || m > n))
                {
                    Report(DiagnosticDescriptors.ConstantOutOfRange, race.First.Span, "the `first` count of race", $"between 1 and n = {n}", m);
                }

                bound = model is null ? null : new BoundRaceStatement(local, model, prompt, options, first, statement.Span);
                _strategy.PopulationLaw[local] = new GuaranteeInfo(Guarantee.Heuristic, "none",
                    "race keeps the first particles to finish, which favours short texts over the model's law", statement.Span);
                _strategy.PopulationSize[local] = first;
                ChargeDecode(options.Count, options.MaxTokens, prefill: true);
                break;
            }

            default:
            {
                var source = (ExpressionSourceSyntax)statement.Source;
                var value = BindExpression(source.Expression, scope);
                if (!value.Type.IsError && value.Type.Kind != TypeKind.Population)
                {
                    Report(DiagnosticDescriptors.TypeMismatch, value.Span, $"the value of population '{statement.Name.Name}'",
                        "a population (sample, race, spawn, rank, repeat, speculative or a strategy returning one)", Describe(value));
                    value = new BoundErrorExpression(value.Span);
                }

                ChargeExpression(value);
                bound = value.Type.IsError ? null : new BoundPopulationStatement(local, value, statement.Span);
                if (bound is not null)
                {
                    _strategy.PopulationLaw[local] = PopulationLawOf(value, statement.Span);
                    if (SizeOf(value) is { } size)
                    {
                        _strategy.PopulationSize[local] = size;
                    }
                }

                break;
            }
        }

        DeclareLocal(scope, statement.Name, local);
        return bound;
    }

    private BoundStatement? BindSmc(SmcStatementSyntax syntax, Scope scope)
    {
        var population = LookupPopulation(syntax.Target, scope, "smc");
        var options = BindLoopOptions(syntax.Options, scope, "smc", new[]
        {
            new LoopOptionRule("resample", "=", null),
            new LoopOptionRule("ess", "<", TtsType.Real),
            new LoopOptionRule("steps", "<=", TtsType.Int),
        });
        var resample = ResampleMethod.None;
        if (options.TryGetValue("resample", out var resampleSyntax))
        {
            resample = ParseMethod(resampleSyntax, "resampler", new Dictionary<string, ResampleMethod>
            {
                ["multinomial"] = ResampleMethod.Multinomial,
                ["stratified"] = ResampleMethod.Stratified,
                ["systematic"] = ResampleMethod.Systematic,
                ["residual"] = ResampleMethod.Residual,
                ["none"] = ResampleMethod.None,
            }) ?? ResampleMethod.None;
        }

        BoundExpression? ess = null;
        if (options.TryGetValue("ess", out var essSyntax))
        {
            ess = BindSingleValue(essSyntax.Value, scope, "the ESS threshold", TtsType.Real);
            if (ConstantFolder.TryEvaluate(ess) is { } threshold && System.Convert.ToDouble(threshold, System.Globalization.CultureInfo.InvariantCulture) is var t && !(t > 0 && t <= 1))
            {
                Report(DiagnosticDescriptors.ConstantOutOfRange, essSyntax.Value.Span, "the ESS threshold", "in (0, 1] (a fraction of the particle count)", Constants.Format(threshold));
            }
        }

        var steps = BindSteps(options, scope, syntax.Span, "this smc block", "steps <= N");
        if (population is null)
        {
            BindBodyOfFailedBlock(syntax.Target, syntax.Body, scope, BlockKind.Smc, steps);
            return null;
        }

        var before = _strategy.PopulationLaw.TryGetValue(population, out var law) ? law : null;
        var context = new BlockContext(BlockKind.Smc, population);
        var body = BindLoopBody(syntax.Body, scope, context, steps);

        if (resample != ResampleMethod.None && !context.Weighted && !HasSyntaxErrorIn(syntax.Body.Span))
        {
            Report(DiagnosticDescriptors.ResampleUnweighted, options["resample"].Span, population.Name);
        }

        if (resample != ResampleMethod.None && ess is null && (ConstantFolder.TryEvaluate(steps) is not long s || s > 8))
        {
            Report(DiagnosticDescriptors.ResampleWithoutEss, options["resample"].Span, BudgetMath.Format(steps));
        }

        _strategy.PopulationLaw[population] = SmcLaw(population, before, context, steps, syntax.Span);
        return new BoundSmcStatement(population, resample, ess, steps, body, syntax.Span);
    }

    private BoundStatement? BindSearch(SearchStatementSyntax syntax, Scope scope)
    {
        var population = LookupPopulation(syntax.Target, scope, "search");
        var options = BindLoopOptions(syntax.Options, scope, "search", new[]
        {
            new LoopOptionRule("method", "=", null),
            new LoopOptionRule("width", "=", TtsType.Int),
            new LoopOptionRule("expand", "=", TtsType.Int),
            new LoopOptionRule("groups", "=", TtsType.Int),
            new LoopOptionRule("steps", "<=", TtsType.Int),
        });
        var method = SearchMethod.Beam;
        if (options.TryGetValue("method", out var methodSyntax))
        {
            method = ParseMethod(methodSyntax, "search method", new Dictionary<string, SearchMethod>
            {
                ["beam"] = SearchMethod.Beam,
                ["diverse"] = SearchMethod.DiverseBeam,
                ["best_first"] = SearchMethod.BestFirst,
            }) ?? SearchMethod.Beam;
        }

        BoundExpression Count(string name, long fallback)
        {
            if (!options.TryGetValue(name, out var option))
            {
                return BudgetMath.Constant(fallback);
            }

            var value = BindSingleValue(option.Value, scope, $"the search's {name}", TtsType.Int);
            if (ConstantFolder.TryEvaluate(value) is long v && v < 1)
            {
                Report(DiagnosticDescriptors.ConstantOutOfRange, option.Value.Span, $"the search's {name}", "at least 1", v);
            }

            return value;
        }

        var width = Count("width", 4);
        var expand = Count("expand", 4);
        var groups = Count("groups", 1);
        if (method != SearchMethod.DiverseBeam && options.TryGetValue("groups", out var groupsSyntax))
        {
            Report(DiagnosticDescriptors.UnknownLoopOption, groupsSyntax.Name.Span, "groups", $"a {MethodName(method)}", ": groups are for method = diverse");
        }

        var steps = BindSteps(options, scope, syntax.Span, "this search block", "steps <= N");
        if (population is null)
        {
            BindBodyOfFailedBlock(syntax.Target, syntax.Body, scope, BlockKind.Search, steps);
            return null;
        }

        // The first step expands every particle the search starts from, which may be more than the beams it keeps.
        var beams = BudgetMath.Multiply(width, groups);
        var initial = _strategy.PopulationSize.TryGetValue(population, out var start) ? start : BudgetMath.One;
        var widest = BudgetMath.ValueOf(initial) is { } i && BudgetMath.ValueOf(beams) is { } b ? BudgetMath.Constant(Math.Max(i, b)) : BudgetMath.Add(initial, beams);
        _strategy.PopulationSize[population] = BudgetMath.Multiply(widest, expand);
        var context = new BlockContext(BlockKind.Search, population);
        var body = BindLoopBody(syntax.Body, scope, context, steps);
        _strategy.PopulationSize[population] = beams;
        _strategy.PopulationLaw[population] = new GuaranteeInfo(Guarantee.Heuristic, "none",
            $"search keeps the best-scoring partial texts ({MethodName(method)}), which follows no stated law", syntax.Span);
        return new BoundSearchStatement(population, method, width, expand, groups, steps, body, syntax.Span);
    }

    /// <summary>
    /// The body of a block whose population is not one is still checked, so its own mistakes are reported; the
    /// block's name is already reported, so statements naming it stay silent about it.
    /// </summary>
    private void BindBodyOfFailedBlock(IdentifierSyntax target, BlockSyntax body, Scope scope, BlockKind kind, BoundExpression steps)
    {
        _failedTargets.Add(target.Name);
        BindLoopBody(body, scope, new BlockContext(kind, null), steps);
        _failedTargets.Remove(target.Name);
    }

    private readonly HashSet<string> _failedTargets = new(StringComparer.Ordinal);

    private static string MethodName(SearchMethod method) => method switch
    {
        SearchMethod.Beam => "beam search",
        SearchMethod.DiverseBeam => "diverse tree search",
        _ => "best-first search",
    };

    /// <summary>Binds a loop body in its own scope; what one step spends is charged steps times.</summary>
    private ImmutableArray<BoundStatement> BindLoopBody(BlockSyntax body, Scope scope, BlockContext context, BoundExpression steps)
    {
        var outer = _strategy.Budget;
        _strategy.Budget = StaticBudget.Zero;
        var inner = scope.Nested();
        var statements = BindBlock(body.Statements, inner, context);

        // Names declared in a loop body hold per-step values: they are not visible after the block.
        _strategy.NestedLocals.AddRange(inner.Locals);
        _strategy.Budget = outer.Plus(_strategy.Budget.Times(steps));
        return statements;
    }

    private BoundExpression BindSteps(Dictionary<string, LoopOptionSyntax> options, Scope scope, TextSpan blockSpan, string what, string bound)
    {
        var name = bound.Split(' ')[0];
        if (!options.TryGetValue(name, out var syntax))
        {
            if (HasSyntaxErrorOnLineOf(blockSpan))
            {
                return BudgetMath.One;
            }

            Report(DiagnosticDescriptors.MissingLoopBound, new TextSpan(blockSpan.Start, Math.Min(blockSpan.Length, 3)), what, bound);
            return BudgetMath.One;
        }

        var value = BindSingleValue(syntax.Value, scope, $"`{name}`", TtsType.Int);
        if (ConstantFolder.TryEvaluate(value) is long v && v < 1)
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, syntax.Value.Span, $"`{name}`", "at least 1", v);
        }

        return value.Type.IsError ? BudgetMath.One : value;
    }

    private BoundStatement? BindExtend(ExtendStatementSyntax syntax, Scope scope, BlockContext context)
    {
        var population = LookupPopulation(syntax.Target, scope, "extend");
        var model = LookupModel(syntax.Model);
        var (_, options) = BindDecodeCall(syntax.Model, syntax.Arguments, scope, DecodeOptionRules.StepNames, "extend", extra: null);
        if (population is null || model is null || !CheckBlockTarget(population, context, "extend", syntax.Target.Span))
        {
            return null;
        }

        var size = _strategy.PopulationSize.TryGetValue(population, out var s) ? s : BudgetMath.One;
        ChargeDecode(size, options.MaxTokens, prefill: false);

        // A mask's correction (the log-mass of the allowed tokens) is a weight; random options cap the law.
        context.Weighted |= options.Forbid is not BoundList { Elements.Length: 0 };
        if (InputLaw(BoundTreeWalker.Options(options)) is { } input)
        {
            context.InputLaws.Add(input);
        }
        context.TargetParts.Add($"continued by {SourceOf(syntax.Span).Substring(SourceOf(syntax.Span).IndexOf(" by ", StringComparison.Ordinal) + 4)}");
        return new BoundExtendStatement(population, model, options, syntax.Span);
    }

    private bool CheckBlockTarget(LocalSymbol population, BlockContext context, string keyword, TextSpan span)
    {
        if (context.Population is { } own && own != population)
        {
            Report(DiagnosticDescriptors.WrongBlockTarget, span, keyword, population.Name, own.Name);
            return false;
        }

        return true;
    }

    private BoundStatement? BindParticleUpdate(ParticleUpdateSyntax syntax, Scope scope, BlockContext context)
    {
        var keyword = syntax.Kind.ToString().ToLowerInvariant();

        // A weight statement counts as weighting even when its value fails to bind: "nothing weights" would mislead.
        context.Weighted |= syntax.Kind is ParticleUpdateKind.Factor or ParticleUpdateKind.Observe or ParticleUpdateKind.Condition or ParticleUpdateKind.Twist;
        var population = LookupPopulation(syntax.Target, scope, keyword);
        var targetOk = population is not null && CheckBlockTarget(population, context, keyword, syntax.Target.Span);
        var value = LiftPopulation(BindExpression(syntax.Value, scope));
        if (value.Type.IsError)
        {
            return null;
        }

        // The value is checked even when the target failed, so its own mistakes are reported too.
        if (targetOk && value.Population is { } other && other != population)
        {
            Report(DiagnosticDescriptors.MixedPopulations, value.Span, population!.Name, other.Name);
            return null;
        }

        var (expected, hint) = syntax.Kind switch
        {
            ParticleUpdateKind.Factor or ParticleUpdateKind.Twist => (TtsType.LogWeight, "convert explicitly, e.g. log(prm(ps)) / tau for a Score, log(p) for a Prob, weight(x) for a plain number"),
            ParticleUpdateKind.Observe => (TtsType.Prob, "convert explicitly, e.g. prob(x) for a plain number in [0, 1]"),
            ParticleUpdateKind.Score => (TtsType.Score, "convert explicitly, e.g. score(x) for a plain number"),
            _ => (TtsType.Bool, ""),
        };
        if (!IsAssignable(value, expected))
        {
            if (expected.IsNumericKind && (value.Type.IsNumericKind || value.Type.IsNumeric))
            {
                Report(DiagnosticDescriptors.KindMismatch, value.Span, $"the value of `{keyword}`", expected, value.Type, hint);
            }
            else
            {
                Report(DiagnosticDescriptors.TypeMismatch, value.Span, $"the value of `{keyword}`", expected, value.Type);
            }

            return null;
        }

        value = Retype(value, expected);
        if (!targetOk)
        {
            return null;
        }

        if (InputLaw(new[] { value }) is { } input)
        {
            context.InputLaws.Add(input);
        }

        if (syntax.Kind == ParticleUpdateKind.Factor && IsUntemperedScoreLog(value))
        {
            _diagnostics.Report(DiagnosticDescriptors.ScoreWeightWithoutTemperature, _source.GetLocation(value.Span));
        }

        ChargeExpression(value);
        switch (syntax.Kind)
        {
            case ParticleUpdateKind.Factor:
                context.Weighted = true;
                context.TargetParts.Add($"reweighted by exp({SourceOf(value.Span)})");
                break;
            case ParticleUpdateKind.Observe:
                context.Weighted = true;
                context.TargetParts.Add($"reweighted by {SourceOf(value.Span)}");
                break;
            case ParticleUpdateKind.Condition:
                context.Weighted = true;
                context.TargetParts.Add($"conditioned on {SourceOf(value.Span)}");
                break;
            case ParticleUpdateKind.Twist when ++context.Twists > 1:
                Report(DiagnosticDescriptors.TwistUnbalanced, syntax.Span, population!.Name);
                return null;
            case ParticleUpdateKind.Twist:
                // The twist leaves the target alone but steers resampling, so the particles are weighted, not i.i.d.
                context.Weighted = true;
                break;
        }

        return new BoundParticleUpdate(syntax.Kind, population!, value, syntax.Span);
    }

    /// <summary><c>log(s)</c> of a Score used as a weight as it is: the warning asks for a temperature.</summary>
    private static bool IsUntemperedScoreLog(BoundExpression value) =>
        value is BoundBuiltinCall { Function.Name: "log" } call && call.Arguments[0].Type.Kind == TypeKind.Score;

    private BoundStatement BindFork(ForkStatementSyntax syntax, Scope scope)
    {
        var outer = _strategy.ForkDeclared;
        _strategy.ForkDeclared = new HashSet<LocalSymbol>();
        var before = scope.Locals.Count;
        var body = ImmutableArray.CreateBuilder<BoundStatement>();
        var context = new BlockContext(BlockKind.Fork, null);
        foreach (var statement in syntax.Body.Statements)
        {
            if (!IsAllowed(statement, context))
            {
                continue;
            }

            if (BindStatement(statement, scope, context) is { } bound)
            {
                body.Add(bound);
            }

            foreach (var declared in scope.Locals.Skip(before))
            {
                _strategy.ForkDeclared.Add(declared);
            }
        }

        _strategy.ForkDeclared = outer;
        return new BoundForkStatement(body.ToImmutable(), syntax.Span);
    }

    private BoundStatement? BindRefine(RefineStatementSyntax syntax, Scope scope)
    {
        var initial = BindExpression(syntax.Initial, scope);
        if (initial.Type.Kind == TypeKind.Population)
        {
            initial = ReportPopulationAsValue(initial, "value");
        }

        if (initial.Population is { } population)
        {
            Report(DiagnosticDescriptors.PerParticleValueNotAllowed, initial.Span, "the initial value of refine", population.Name);
            initial = new BoundErrorExpression(initial.Span);
        }

        ChargeExpression(initial);
        var local = new LocalSymbol(syntax.Name.Name, initial.Type, null, syntax.Name.Span);
        var inner = scope.Nested();
        if (!syntax.Name.IsMissing)
        {
            inner.Declare(local);
        }

        var options = BindLoopOptions(syntax.Options, inner, "refine", new[]
        {
            new LoopOptionRule("rounds", "<=", TtsType.Int),
            new LoopOptionRule("until", "=", TtsType.Bool),
        });
        var rounds = BindSteps(options, inner, syntax.Span, "this refine statement", "rounds <= N");
        var outer = _strategy.Budget;
        _strategy.Budget = StaticBudget.Zero;
        var step = BindExpression(syntax.Step, inner);
        BoundExpression? until = null;
        if (options.TryGetValue("until", out var untilSyntax))
        {
            until = BindSingleValue(untilSyntax.Value, inner, "`until`", TtsType.Bool);
            ChargeExpression(until);
        }

        ChargeExpression(step);
        _strategy.Budget = outer.Plus(_strategy.Budget.Times(rounds));
        if (!step.Type.IsError && !initial.Type.IsError && !IsAssignable(step, initial.Type))
        {
            Report(DiagnosticDescriptors.TypeMismatch, step.Span, "the refining step", $"{initial.Type} (like the initial value)", step.Type);
            return null;
        }

        // The refined name stays visible after the statement, holding the last round's value.
        _strategy.NestedLocals.AddRange(inner.Locals.Where(l => l != local));
        DeclareLocal(scope, syntax.Name, local);
        _strategy.ValueLaw[local] = new GuaranteeInfo(Guarantee.Heuristic, "none",
            $"refine {local.Name} keeps rewriting a text by a step of its own choosing, which follows no stated law", syntax.Span);
        return initial.Type.IsError ? null : new BoundRefineStatement(local, initial, step, rounds, until, syntax.Span);
    }

    private sealed record LoopOptionRule(string Name, string Operator, TtsType? Type);

    private Dictionary<string, LoopOptionSyntax> BindLoopOptions(ImmutableArray<LoopOptionSyntax> options, Scope scope, string owner, IReadOnlyList<LoopOptionRule> rules)
    {
        var result = new Dictionary<string, LoopOptionSyntax>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            if (option.Name.IsMissing)
            {
                continue;
            }

            var rule = rules.FirstOrDefault(r => r.Name == option.Name.Name);
            if (rule is null)
            {
                Report(DiagnosticDescriptors.UnknownLoopOption, option.Name.Span, option.Name.Name, owner,
                    Suggest(option.Name.Name, rules.Select(r => r.Name), $": it takes {string.Join(", ", rules.Select(r => $"{r.Name} {r.Operator} ..."))}"));
                continue;
            }

            if (result.ContainsKey(rule.Name))
            {
                Report(DiagnosticDescriptors.DuplicateLoopOption, option.Span, rule.Name);
                continue;
            }

            if (option.Operator != rule.Operator && option.Operator.Length > 0)
            {
                var value = SourceOf(option.Value.Span);
                Report(DiagnosticDescriptors.WrongLoopOperator, option.Span, $"{rule.Name} {rule.Operator} {(value.Length == 0 ? "N" : value)}");
            }

            result.Add(rule.Name, option);
        }

        return result;
    }

    private TMethod? ParseMethod<TMethod>(LoopOptionSyntax option, string what, Dictionary<string, TMethod> methods)
        where TMethod : struct
    {
        if (option.Value is NameExpressionSyntax { Name.IsMissing: false } name && methods.TryGetValue(name.Name.Name, out var method))
        {
            return method;
        }

        if (option.Value is MissingExpressionSyntax || HasSyntaxErrorOnLineOf(option.Span))
        {
            return null;
        }

        var written = option.Value is NameExpressionSyntax n ? n.Name.Name : SourceOf(option.Value.Span);
        Report(DiagnosticDescriptors.UnknownMethod, option.Value.Span, what, written, string.Join(", ", methods.Keys));
        return null;
    }

    private ModelSymbol? LookupModel(IdentifierSyntax name, string role = "sampling")
    {
        if (name.IsMissing)
        {
            return null;
        }

        if (_globals.TryGetValue(name.Name, out var symbol) && symbol is ModelSymbol model)
        {
            return model;
        }

        if (symbol is not null)
        {
            var what = symbol is FunctionSymbol function ? WithArticle(function.KindName) : "a strategy";
            Report(DiagnosticDescriptors.NotAModel, name.Span, name.Name, what, role);
            return null;
        }

        Report(DiagnosticDescriptors.UndefinedModel, name.Span, name.Name, Suggest(name.Name, _globals.Values.OfType<ModelSymbol>().Select(s => s.Name)));
        return null;
    }

    private LocalSymbol? LookupPopulation(IdentifierSyntax name, Scope scope, string keyword)
    {
        if (name.IsMissing || _failedTargets.Contains(name.Name))
        {
            return null;
        }

        switch (scope.Lookup(name.Name))
        {
            case LocalSymbol { IsPopulation: true } population:
                return population;
            case null:
                Report(DiagnosticDescriptors.UndefinedName, name.Span, name.Name, Suggest(name.Name, scope.VisibleNames()));
                return null;
            default:
                Report(DiagnosticDescriptors.NotAPopulation, name.Span, name.Name, $"`{keyword}`");
                return null;
        }
    }

    private void DeclareLocal(Scope scope, IdentifierSyntax name, LocalSymbol local)
    {
        if (name.IsMissing)
        {
            return;
        }

        if (scope.Lookup(name.Name) is { } existing)
        {
            Report(DiagnosticDescriptors.DuplicateDeclaration, name.Span, name.Name, LineOf(existing.DeclarationSpan));
            return;
        }

        scope.Declare(local);
    }

    /// <summary>Tokens: each particle may generate max_tokens; calls: one batched step per token, plus the prefill.</summary>
    private void ChargeDecode(BoundExpression particles, BoundExpression maxTokens, bool prefill)
    {
        var tokens = BudgetMath.Multiply(particles, maxTokens);
        var calls = prefill ? BudgetMath.Add(maxTokens, BudgetMath.One) : maxTokens;
        _strategy.Budget = _strategy.Budget.Plus(new StaticBudget(tokens, calls, BudgetMath.Zero));
    }

    /// <summary>Charges what evaluating an expression spends: reward calls, strategy calls, repeats, speculative decoding.</summary>
    private void ChargeExpression(BoundExpression expression) => _strategy.Budget = _strategy.Budget.Plus(CostOf(expression));

    private StaticBudget CostOf(BoundExpression expression)
    {
        switch (expression)
        {
            case BoundFunctionCall call:
                var scored = call.Argument.Population is { } population && _strategy.PopulationSize.TryGetValue(population, out var size) ? size : BudgetMath.One;
                return CostOf(call.Argument).Plus(new StaticBudget(BudgetMath.Zero, BudgetMath.Zero, scored));
            case BoundStrategyCall call when _boundStrategies.TryGetValue(call.Strategy, out var callee):
                BoundExpression ArgumentOf(ParameterSymbol p) => call.Arguments[p.Ordinal];
                return call.Arguments.Aggregate(StaticBudget.Zero, (b, a) => b.Plus(CostOf(a))).Plus(new StaticBudget(
                    BudgetMath.Substitute(callee.Budget.Tokens, ArgumentOf),
                    BudgetMath.Substitute(callee.Budget.Calls, ArgumentOf),
                    BudgetMath.Substitute(callee.Budget.Rewards, ArgumentOf)));
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
}
