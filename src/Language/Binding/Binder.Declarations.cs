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

/// <summary>Declarations: models, functions, strategy headers and bodies, and the claims and budget clauses.</summary>
public sealed partial class Binder
{
    private ModelSymbol? BindModel(ModelDeclarationSyntax syntax)
    {
        if (syntax.Kind is { IsMissing: false } && syntax.Kind.Name != "lm")
        {
            Report(DiagnosticDescriptors.UnknownModelKind, syntax.Kind.Span, syntax.Kind.Name, syntax.Name.Name);
        }

        var symbol = new ModelSymbol(syntax.Name.Name, syntax.Name.Span);
        return Declare(syntax.Name, symbol) ? symbol : null;
    }

    private FunctionSymbol? BindFunction(FunctionDeclarationSyntax syntax)
    {
        var allowed = syntax.Kind switch
        {
            FunctionKind.Reward => new[] { TtsType.Score, TtsType.Prob },
            FunctionKind.Verifier => new[] { TtsType.Bool },
            _ => new[] { TtsType.Text },
        };
        var result = allowed[0];
        if (syntax.ResultType is { } typeSyntax && BindType(typeSyntax) is { IsError: false } declared)
        {
            if (allowed.Contains(declared))
            {
                result = declared;
            }
            else
            {
                Report(DiagnosticDescriptors.WrongFunctionResult, typeSyntax.Span, WithArticle(syntax.Kind.ToString().ToLowerInvariant()),
                    string.Join(" or ", allowed.Select(t => t.ToString())), declared);
            }
        }

        var symbol = new FunctionSymbol(syntax.Name.Name, syntax.Kind, result, syntax.Name.Span);
        return Declare(syntax.Name, symbol) ? symbol : null;
    }

    private bool Declare(IdentifierSyntax name, Symbol symbol)
    {
        if (name.IsMissing)
        {
            return false;
        }

        if (_globals.TryGetValue(name.Name, out var existing))
        {
            Report(DiagnosticDescriptors.DuplicateDeclaration, name.Span, name.Name, LineOf(existing.DeclarationSpan));
            return false;
        }

        _globals.Add(name.Name, symbol);
        return true;
    }

    /// <summary>The parameter names of the header being bound: a default that reads one is "not constant", not "undefined".</summary>
    private HashSet<string>? _headerParameterNames;

    /// <summary>The parameter whose default is being bound.</summary>
    private string? _defaultOf;

    private StrategySymbol BindStrategyHeader(StrategyDeclarationSyntax syntax)
    {
        _headerParameterNames = new HashSet<string>(syntax.Parameters.Select(p => p.Name.Name), StringComparer.Ordinal);
        try
        {
            return BindStrategyHeaderCore(syntax);
        }
        finally
        {
            _headerParameterNames = null;
        }
    }

    private StrategySymbol BindStrategyHeaderCore(StrategyDeclarationSyntax syntax)
    {
        var parameters = ImmutableArray.CreateBuilder<ParameterSymbol>();
        var seen = new Dictionary<string, ParameterSymbol>(StringComparer.Ordinal);
        foreach (var parameter in syntax.Parameters)
        {
            var type = BindType(parameter.Type);
            object? defaultValue = null;
            if (parameter.Default is { } defaultSyntax)
            {
                _defaultOf = parameter.Name.Name;
                var bound = BindExpression(defaultSyntax, Scope.Empty);
                _defaultOf = null;
                defaultValue = ConstantFolder.TryEvaluate(bound);
                if (bound.Type.IsError)
                {
                    defaultValue = null;
                }
                else if (defaultValue is null)
                {
                    Report(DiagnosticDescriptors.DefaultNotConstant, defaultSyntax.Span, parameter.Name.Name);
                }
                else if (!IsAssignable(bound, type))
                {
                    ReportTypeMismatch(defaultSyntax.Span, $"the default of '{parameter.Name.Name}'", type, bound.Type);
                    defaultValue = null;
                }
                else
                {
                    defaultValue = Convert(defaultValue, type);
                }
            }

            if (type.Kind == TypeKind.Population)
            {
                ReportTypeMismatch(parameter.Type.Span, $"parameter '{parameter.Name.Name}'", "text, int, real, bool, LogWeight, Score or Prob", "population");
                type = TtsType.Error;
            }

            if (parameter.Name.IsMissing)
            {
                continue;
            }

            if (seen.TryGetValue(parameter.Name.Name, out var previous))
            {
                Report(DiagnosticDescriptors.DuplicateDeclaration, parameter.Name.Span, parameter.Name.Name, LineOf(previous.DeclarationSpan));
                continue;
            }

            var symbol = new ParameterSymbol(parameter.Name.Name, type, parameters.Count, defaultValue, parameter.Name.Span);
            seen.Add(symbol.Name, symbol);
            parameters.Add(symbol);
        }

        return new StrategySymbol(syntax.Name.Name, parameters.ToImmutable(), BindType(syntax.ReturnType), syntax.Name.Span);
    }

    private TtsType BindType(TypeReferenceSyntax syntax)
    {
        if (syntax.Name.IsMissing)
        {
            return TtsType.Error;
        }

        var type = TtsType.FromName(syntax.Name.Name);
        if (type is null)
        {
            var hint = Suggest(syntax.Name.Name, TtsType.Names);
            Report(DiagnosticDescriptors.UnknownType, syntax.Span, syntax.Name.Name, hint.Length == 0 ? "" : $" ({hint.Substring(2)})");
            return TtsType.Error;
        }

        return type;
    }

    private BoundStrategy BindStrategyBody(StrategyDeclarationSyntax syntax, StrategySymbol symbol)
    {
        var scope = new Scope(symbol.Parameters.ToImmutableDictionary(p => p.Name, p => p, StringComparer.Ordinal), parent: null);
        _strategy = new StrategyState(symbol);
        var errorsBefore = _diagnostics.ErrorCount;
        var (body, unreachable) = BindBlock(syntax.Body.Statements, scope, BlockContext.Body);

        // A syntax error in the body (a misspelled keyword) may have swallowed the return: that error is the cause.
        if (!body.OfType<BoundReturnStatement>().Any() && !syntax.Name.IsMissing && !HasSyntaxErrorIn(syntax.Span))
        {
            Report(DiagnosticDescriptors.MissingReturn, syntax.Name.Span, symbol.Name);
        }

        // Counted before the clauses are bound: the analyses that stay quiet next to errors look at the body's.
        var hasErrors = _diagnostics.ErrorCount != errorsBefore || _strategy.HasMisplacedStatements || _recursive.Contains(symbol) || HasSyntaxErrorIn(syntax.Span);
        var claim = BindClaim(syntax, symbol);
        var declared = BindBudgetClauses(syntax, symbol);
        return new BoundStrategy(symbol, body, claim?.Level, declared)
        {
            ClaimSpan = claim?.Span ?? default,
            Locals = scope.Locals.Concat(_strategy.NestedLocals).ToImmutableArray(),
            Unreachable = unreachable,
            HasErrors = hasErrors,
        };
    }

    /// <summary>The first <c>claims</c> clause naming a known guarantee, and where it is; whether it holds is GuaranteeAnalysis's question.</summary>
    private (Guarantee Level, TextSpan Span)? BindClaim(StrategyDeclarationSyntax syntax, StrategySymbol symbol)
    {
        var clauses = syntax.Clauses.OfType<ClaimsClauseSyntax>().ToList();
        foreach (var extra in clauses.Skip(1))
        {
            Report(DiagnosticDescriptors.DuplicateClause, extra.Span, symbol.Name, "claims");
        }

        if (clauses.FirstOrDefault() is not { Guarantee.IsMissing: false } clause)
        {
            return null;
        }

        Guarantee? claimed = clause.Guarantee.Name switch
        {
            "exact" => Guarantee.Exact,
            "consistent" => Guarantee.Consistent,
            "heuristic" => Guarantee.Heuristic,
            _ => null,
        };
        if (claimed is null)
        {
            Report(DiagnosticDescriptors.UnknownGuarantee, clause.Guarantee.Span, clause.Guarantee.Name,
                Suggest(clause.Guarantee.Name, ["exact", "consistent", "heuristic"]));
            return null;
        }

        return (claimed.Value, clause.Span);
    }

    private ImmutableArray<BudgetLimit> BindBudgetClauses(StrategyDeclarationSyntax syntax, StrategySymbol symbol)
    {
        var limits = ImmutableArray.CreateBuilder<BudgetLimit>();
        var scope = new Scope(symbol.Parameters.ToImmutableDictionary(p => p.Name, p => p, StringComparer.Ordinal), parent: null);
        foreach (var clause in syntax.Clauses.OfType<BudgetClauseSyntax>())
        {
            foreach (var limit in clause.Limits)
            {
                if (limit.Resource.IsMissing)
                {
                    continue;
                }

                BudgetResource? resource = limit.Resource.Name switch
                {
                    "tokens" => BudgetResource.Tokens,
                    "calls" => BudgetResource.Calls,
                    "rewards" => BudgetResource.Rewards,
                    _ => null,
                };
                if (resource is null)
                {
                    Report(DiagnosticDescriptors.UnknownBudgetResource, limit.Resource.Span, limit.Resource.Name,
                        Suggest(limit.Resource.Name, ["tokens", "calls", "rewards"]));
                    continue;
                }

                if (limits.Any(l => l.Resource == resource))
                {
                    Report(DiagnosticDescriptors.DuplicateLoopOption, limit.Resource.Span, limit.Resource.Name);
                    continue;
                }

                var value = BindSingleValue(limit.Limit, scope, $"the {limit.Resource.Name} budget", TtsType.Int);
                if (!value.Type.IsError)
                {
                    limits.Add(new BudgetLimit(resource.Value, value, limit.Span));
                }
            }
        }

        return limits.ToImmutable();
    }
}
