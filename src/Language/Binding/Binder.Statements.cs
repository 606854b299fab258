using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Effects;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Blocks and the statements that declare names: let, population, fork, return.</summary>
public sealed partial class Binder
{
    /// <summary>
    /// The statements of a block, in order. Those after a return are bound too, so their mistakes are reported, and
    /// come back apart: they never run, but the analyses still walk them.
    /// </summary>
    private (ImmutableArray<BoundStatement> Reachable, ImmutableArray<BoundStatement> Unreachable) BindBlock(
        IEnumerable<StatementSyntax> statements, Scope scope, BlockContext context)
    {
        var bound = ImmutableArray.CreateBuilder<BoundStatement>();
        var unreachable = ImmutableArray.CreateBuilder<BoundStatement>();
        var outer = _strategy.Block;
        _strategy.Block = context;
        var returned = false;
        var reportedUnreachable = false;
        foreach (var statement in statements)
        {
            if (returned && !reportedUnreachable)
            {
                Report(DiagnosticDescriptors.UnreachableStatement, statement.Span);
                reportedUnreachable = true;
            }

            var result = Misplaced(statement, context) ?? BindStatement(statement, scope, context);
            if (result is not null)
            {
                (returned ? unreachable : bound).Add(result);
            }

            returned |= result is not BoundMisplacedStatement && statement is ReturnStatementSyntax;
        }

        _strategy.Block = outer;
        return (bound.ToImmutable(), unreachable.ToImmutable());
    }

    /// <summary>
    /// A statement its block may not hold (<see cref="EffectRules"/>) is left unbound, so it is reported once, by
    /// EffectAnalysis, and nothing inside it adds errors or declares names.
    /// </summary>
    private BoundMisplacedStatement? Misplaced(StatementSyntax statement, BlockContext context)
    {
        var kind = EffectRules.KindOf(statement);
        if (EffectRules.Check(kind, context.Kind) is null)
        {
            return null;
        }

        _strategy.HasMisplacedStatements = true;
        return new BoundMisplacedStatement(kind, statement.Span);
    }

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
            case ReextendStatementSyntax reextend:
                return BindReextend(reextend, scope, context);
            case ParticleUpdateSyntax update:
                context.LastExtend = null;
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

        var local = new LocalSymbol(let.Name.Name, value.Type, value.Population, let.Name.Span);
        DeclareLocal(scope, let.Name, local);
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
                RecordDecoder(local, model);
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

                // A race whose model did not resolve (already reported) is kept as a bad statement, with a stand-in
                // model: its law and its particle count do not depend on the model, and its decoding is still charged.
                bound = model is null
                    ? new BoundBadStatement(new BoundRaceStatement(local, new ModelSymbol(race.Model.Name, race.Model.Span), prompt, options, first, statement.Span))
                    : new BoundRaceStatement(local, model, prompt, options, first, statement.Span);
                RecordDecoder(local, model);
                break;
            }

            default:
            {
                var source = (ExpressionSourceSyntax)statement.Source;
                var value = BindExpression(source.Expression, scope);
                if (!value.Type.IsError && value.Type.Kind != TypeKind.Population)
                {
                    ReportTypeMismatch(value.Span, $"the value of population '{statement.Name.Name}'",
                        "a population (sample, race, spawn, rank, repeat, speculative or a strategy returning one)", Describe(value));
                    value = new BoundErrorExpression(value.Span);
                }

                bound = value.Type.IsError ? null : new BoundPopulationStatement(local, value, statement.Span);
                if (value is BoundRank rank && _strategy.DecodedBy.TryGetValue(rank.PopulationSymbol, out var ranked))
                {
                    RecordDecoder(local, ranked);
                }

                break;
            }
        }

        DeclareLocal(scope, statement.Name, local);
        return bound;
    }

    private BoundStatement BindFork(ForkStatementSyntax syntax, Scope scope)
    {
        var outer = _strategy.ForkDeclared;
        _strategy.ForkDeclared = new HashSet<LocalSymbol>();
        var before = scope.Locals.Count;
        var body = ImmutableArray.CreateBuilder<BoundStatement>();
        var context = new BlockContext(BlockKind.Fork, null);
        foreach (var statement in syntax.Body.Statements)
        {
            if (Misplaced(statement, context) is { } misplaced)
            {
                body.Add(misplaced);
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
}
