using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>
/// Resolves names, checks types and effects, infers guarantees and static budgets, and fills in defaults,
/// turning the AST into the bound tree. Errors go to the diagnostic bag; an expression that fails to bind
/// becomes <see cref="BoundErrorExpression"/>, whose error type silences follow-on errors, so one mistake is
/// reported once. Declarations: Binder.cs; statements: Binder.Statements.cs; expressions: Binder.Expressions.cs.
/// </summary>
public sealed partial class Binder
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, Symbol> _globals = new(StringComparer.Ordinal);
    private readonly Dictionary<StrategySymbol, BoundStrategy> _boundStrategies = new();

    /// <summary>The strategy whose body is being bound, with what the binder tracks through it.</summary>
    private StrategyState _strategy = null!;

    private readonly ImmutableArray<Diagnostic> _syntaxErrors;

    private Binder(SourceText source, DiagnosticBag diagnostics, ImmutableArray<Diagnostic> syntaxErrors)
    {
        _source = source;
        _diagnostics = diagnostics;
        _syntaxErrors = syntaxErrors;
    }

    public static BoundProgram Bind(SyntaxTree tree, DiagnosticBag diagnostics) =>
        new Binder(tree.Source, diagnostics, tree.Diagnostics.Where(d => d.IsError).ToImmutableArray()).BindCompilationUnit(tree.Root);

    private BoundProgram BindCompilationUnit(CompilationUnitSyntax unit)
    {
        var models = ImmutableArray.CreateBuilder<ModelSymbol>();
        var functions = ImmutableArray.CreateBuilder<FunctionSymbol>();
        foreach (var declaration in unit.Declarations)
        {
            switch (declaration)
            {
                case ModelDeclarationSyntax model when BindModel(model) is { } modelSymbol:
                    models.Add(modelSymbol);
                    break;
                case FunctionDeclarationSyntax function when BindFunction(function) is { } functionSymbol:
                    functions.Add(functionSymbol);
                    break;
            }
        }

        // Strategies are declared before any body is bound, so declaration order never matters; bodies are
        // bound callees first, so a call sees its callee's guarantee and budget.
        var headers = new Dictionary<StrategySymbol, StrategyDeclarationSyntax>();
        var order = new List<StrategySymbol>();
        foreach (var strategy in unit.Declarations.OfType<StrategyDeclarationSyntax>())
        {
            var symbol = BindStrategyHeader(strategy);
            if (Declare(strategy.Name, symbol))
            {
                headers.Add(symbol, strategy);
                order.Add(symbol);
            }
        }

        foreach (var symbol in CallOrder(order, headers))
        {
            _boundStrategies[symbol] = BindStrategyBody(headers[symbol], symbol);
        }

        var strategies = order.Where(_boundStrategies.ContainsKey).Select(s => _boundStrategies[s]).ToImmutableArray();
        return new BoundProgram(models.ToImmutable(), functions.ToImmutable(), strategies);
    }

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

    /// <summary>Callees before callers; a cycle is reported once, and its strategies are bound anyway (calls into it are errors).</summary>
    private IEnumerable<StrategySymbol> CallOrder(List<StrategySymbol> strategies, Dictionary<StrategySymbol, StrategyDeclarationSyntax> headers)
    {
        var callees = strategies.ToDictionary(s => s, s => CalledStrategies(headers[s]).ToList());
        var state = new Dictionary<StrategySymbol, bool>(); // false: on the stack; true: done
        var result = new List<StrategySymbol>();
        var path = new List<StrategySymbol>();

        void Visit(StrategySymbol symbol)
        {
            if (state.TryGetValue(symbol, out var done))
            {
                if (!done)
                {
                    var cycle = path.Skip(path.IndexOf(symbol)).Append(symbol).Select(s => s.Name);
                    Report(DiagnosticDescriptors.RecursiveStrategy, symbol.DeclarationSpan, string.Join(" -> ", cycle));
                    _recursive.Add(symbol);
                }

                return;
            }

            state[symbol] = false;
            path.Add(symbol);
            foreach (var callee in callees[symbol])
            {
                Visit(callee);
            }

            path.RemoveAt(path.Count - 1);
            state[symbol] = true;
            result.Add(symbol);
        }

        foreach (var strategy in strategies)
        {
            Visit(strategy);
        }

        return result;
    }

    private readonly HashSet<StrategySymbol> _recursive = new();

    private IEnumerable<StrategySymbol> CalledStrategies(SyntaxNode node)
    {
        foreach (var child in SyntaxWalker.Descendants(node))
        {
            if (child is CallExpressionSyntax call && _globals.TryGetValue(call.Callee.Name, out var symbol) && symbol is StrategySymbol strategy)
            {
                yield return strategy;
            }
        }
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
                    Report(DiagnosticDescriptors.TypeMismatch, defaultSyntax.Span, $"the default of '{parameter.Name.Name}'", type, bound.Type);
                    defaultValue = null;
                }
                else
                {
                    defaultValue = Convert(defaultValue, type);
                }
            }

            if (type.Kind == TypeKind.Population)
            {
                Report(DiagnosticDescriptors.TypeMismatch, parameter.Type.Span, $"parameter '{parameter.Name.Name}'", "text, int, real, bool, LogWeight, Score or Prob", "population");
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
        var body = BindBlock(syntax.Body.Statements, scope, BlockContext.Body);

        if (!body.OfType<BoundReturnStatement>().Any() && !syntax.Name.IsMissing)
        {
            Report(DiagnosticDescriptors.MissingReturn, syntax.Name.Span, symbol.Name);
        }

        // Uses inside expressions that failed to bind are lost (a recursive call binds to an error), so "unused"
        // would be noise next to real errors.
        if (_diagnostics.ErrorCount == errorsBefore && !_recursive.Contains(symbol) && !HasSyntaxErrorIn(syntax.Span))
        {
            ReportUnusedLocals(scope, body);
        }

        var guarantee = _strategy.Returned ?? new GuaranteeInfo(Guarantee.Heuristic, "none", "the strategy does not return", default);
        var claimed = BindClaims(syntax, symbol, guarantee);
        var declared = BindBudgetClauses(syntax, symbol);
        CheckBudget(symbol, _strategy.Budget, declared);
        return new BoundStrategy(symbol, body, guarantee, claimed, _strategy.Budget, declared);
    }

    private Guarantee? BindClaims(StrategyDeclarationSyntax syntax, StrategySymbol symbol, GuaranteeInfo inferred)
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
            Report(DiagnosticDescriptors.UnknownGuarantee, clause.Guarantee.Span, clause.Guarantee.Name);
            return null;
        }

        if (inferred.Level > claimed.Value)
        {
            // The error points at the statement that broke the claim, and names it.
            var at = inferred.ReasonSpan.Length > 0 ? inferred.ReasonSpan : clause.Span;
            Report(DiagnosticDescriptors.ClaimBroken, at, symbol.Name, clause.Guarantee.Name, inferred.LevelName, inferred.Reason);
        }

        return claimed;
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
                    Report(DiagnosticDescriptors.UnknownBudgetResource, limit.Resource.Span, limit.Resource.Name);
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

    /// <summary>Constant bounds are checked exactly; bounds over parameters are checked at the defaults (a warning).</summary>
    private void CheckBudget(StrategySymbol symbol, StaticBudget bound, ImmutableArray<BudgetLimit> declared)
    {
        foreach (var limit in declared)
        {
            var name = limit.Resource.ToString().ToLowerInvariant();
            var spent = bound[limit.Resource];
            if (BudgetMath.ValueOf(spent) is { } s && BudgetMath.ValueOf(limit.Limit) is { } l)
            {
                if (s > l)
                {
                    Report(DiagnosticDescriptors.BudgetExceeded, limit.Span, symbol.Name, name, s, l);
                }

                continue;
            }

            BoundExpression AtDefault(ParameterSymbol p) =>
                p.DefaultValue is long value ? BudgetMath.Constant(value) : new BoundParameterReference(p, default);
            var spentAtDefaults = BudgetMath.ValueOf(BudgetMath.Substitute(spent, AtDefault));
            var limitAtDefaults = BudgetMath.ValueOf(BudgetMath.Substitute(limit.Limit, AtDefault));
            if (spentAtDefaults > limitAtDefaults)
            {
                Report(DiagnosticDescriptors.BudgetExceededAtDefaults, limit.Span, symbol.Name, name, spentAtDefaults, limitAtDefaults);
            }
        }
    }

    private void ReportUnusedLocals(Scope scope, IReadOnlyList<BoundStatement> statements)
    {
        var used = new HashSet<LocalSymbol>();
        foreach (var statement in statements.SelectMany(BoundTreeWalker.Statements))
        {
            // smc and search blocks use their population; expressions use what they reference.
            var uses = BoundTreeWalker.Expressions(statement).Select(UsedLocal).Append(statement switch
            {
                BoundSmcStatement smc => smc.Population,
                BoundSearchStatement search => search.Population,
                _ => null,
            });
            used.UnionWith(uses.OfType<LocalSymbol>());
        }

        foreach (var local in scope.Locals.Concat(_strategy.NestedLocals).Where(l => !used.Contains(l)))
        {
            Report(local.IsPopulation ? DiagnosticDescriptors.UnusedPopulation : DiagnosticDescriptors.UnusedLocal, local.DeclarationSpan, local.Name);
        }
    }

    /// <summary>A syntax error on the same line makes a "missing" or "unknown" report there a follow-on of it: stay silent.</summary>
    private bool HasSyntaxErrorOnLineOf(TextSpan span)
    {
        var line = _source.GetLinePosition(span.Start).Line;

        // The error may sit on the next token, even on a later line: `sample policy` followed by the next statement.
        var next = span.End;
        while (next < _source.Text.Length && char.IsWhiteSpace(_source.Text[next]))
        {
            next++;
        }

        return _syntaxErrors.Any(d => d.Location.Start.Line == line || (d.Location.Span.Start >= span.Start && d.Location.Span.Start <= next));
    }

    private bool HasSyntaxErrorIn(TextSpan span) =>
        _syntaxErrors.Any(d => d.Location.Span.Start >= span.Start && d.Location.Span.Start <= span.End);

    private static LocalSymbol? UsedLocal(BoundExpression expression) => expression switch
    {
        BoundLocalReference reference => reference.Local,
        BoundParticleText text => text.PopulationSymbol,
        BoundSelection selection => selection.PopulationSymbol,
        BoundRank rank => rank.PopulationSymbol,
        _ => null,
    };

    private string SourceOf(TextSpan span) =>
        span.Length == 0 || span.End > _source.Text.Length ? "" : _source.Text.Substring(span.Start, span.Length);

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Ordinal(int n) => n switch { 1 => "first", 2 => "second", 3 => "third", _ => $"#{n}" };

    private static object Convert(object value, TtsType type) =>
        (type.Kind is TypeKind.Real or TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob) && value is long l ? (double)l : value;

    private int LineOf(TextSpan span) => _source.GetLinePosition(span.Start).Line + 1;

    private void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments) =>
        _diagnostics.Report(descriptor, _source.GetLocation(span), arguments);

    /// <summary>
    /// ": did you mean 'x'?" for the closest candidate within edit distance 2, else the fallback. A candidate the name
    /// starts with (a misspelt tail, `lenght` for `len`) beats an equally distant or closer unrelated one.
    /// </summary>
    private static string Suggest(string name, IEnumerable<string> candidates, string fallback = "")
    {
        var distinct = candidates.Distinct().ToList();
        var prefix = distinct
            .Where(c => c.Length >= 3 && name.Length > c.Length && name.StartsWith(c, StringComparison.Ordinal) && name.Length - c.Length <= 3)
            .OrderByDescending(c => c.Length)
            .FirstOrDefault();
        var best = distinct
            .Select(c => (Candidate: c, Distance: EditDistance.Between(name, c)))
            .Where(c => c.Distance <= Math.Min(2, Math.Max(1, name.Length / 2)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        var chosen = best.Distance == 1 ? best.Candidate : prefix ?? best.Candidate;
        return chosen is null ? fallback : $": did you mean '{chosen}'?";
    }

    /// <summary>"a text", "an int": the article a type or kind name takes.</summary>
    private static string WithArticle(string noun) =>
        (noun.Length > 0 && "aeiouAEIOU".IndexOf(noun[0]) >= 0 ? "an " : "a ") + noun;

    /// <summary>What a call accepts: parameter names in order, how many may be positional, which are required.</summary>
    private sealed record ArgumentSignature(string Name, IReadOnlyList<string> Parameters, int Positional, IReadOnlyList<string> Required);

    /// <summary>Names visible in a block: its own locals, then the enclosing blocks', then the parameters.</summary>
    private sealed class Scope
    {
        private readonly List<LocalSymbol> _locals = new();
        private readonly ImmutableDictionary<string, ParameterSymbol> _parameters;

        public Scope(ImmutableDictionary<string, ParameterSymbol> parameters, Scope? parent)
        {
            _parameters = parameters;
            Parent = parent;
        }

        public static Scope Empty => new(ImmutableDictionary<string, ParameterSymbol>.Empty, null);

        public Scope? Parent { get; }

        /// <summary>Every local declared in this scope and the scopes nested in it (for the unused check).</summary>
        public List<LocalSymbol> Locals => _locals;

        public Symbol? Lookup(string name) =>
            (Symbol?)_locals.LastOrDefault(l => l.Name == name) ?? Parent?.Lookup(name) ?? (_parameters.TryGetValue(name, out var p) ? p : null);

        public void Declare(LocalSymbol local) => _locals.Add(local);

        public Scope Nested() => new(ImmutableDictionary<string, ParameterSymbol>.Empty, this);

        public IEnumerable<string> VisibleNames() =>
            _parameters.Keys.Concat(_locals.Select(l => l.Name)).Concat(Parent?.VisibleNames() ?? Enumerable.Empty<string>());
    }
}
