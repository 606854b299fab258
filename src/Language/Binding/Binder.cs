using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;

namespace Tts.Language.Binding;

/// <summary>
/// Resolves names, checks types and fills in defaults, turning the AST into the bound tree. Errors go to
/// the diagnostic bag; an expression that fails to bind becomes <see cref="BoundErrorExpression"/>, whose
/// error type silences every follow-on error, so one mistake is reported once.
/// </summary>
public sealed class Binder
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, Symbol> _globals = new(StringComparer.Ordinal);

    private Binder(SourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    public static BoundProgram Bind(SyntaxTree tree, DiagnosticBag diagnostics) =>
        new Binder(tree.Source, diagnostics).BindCompilationUnit(tree.Root);

    private BoundProgram BindCompilationUnit(CompilationUnitSyntax unit)
    {
        var models = ImmutableArray.CreateBuilder<ModelSymbol>();
        foreach (var model in unit.Declarations.OfType<ModelDeclarationSyntax>())
        {
            if (BindModel(model) is { } symbol)
            {
                models.Add(symbol);
            }
        }

        // Strategies are declared before any body is bound, so declaration order never matters.
        var headers = new List<(StrategyDeclarationSyntax Syntax, StrategySymbol Symbol)>();
        foreach (var strategy in unit.Declarations.OfType<StrategyDeclarationSyntax>())
        {
            var symbol = BindStrategyHeader(strategy);
            if (Declare(strategy.Name, symbol))
            {
                headers.Add((strategy, symbol));
            }
        }

        var strategies = headers.Select(h => BindStrategyBody(h.Syntax, h.Symbol)).ToImmutableArray();
        return new BoundProgram(models.ToImmutable(), strategies);
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

    private StrategySymbol BindStrategyHeader(StrategyDeclarationSyntax syntax)
    {
        var parameters = ImmutableArray.CreateBuilder<ParameterSymbol>();
        var seen = new Dictionary<string, ParameterSymbol>(StringComparer.Ordinal);
        foreach (var parameter in syntax.Parameters)
        {
            var type = BindType(parameter.Type);
            object? defaultValue = null;
            if (parameter.Default is { } defaultSyntax)
            {
                var bound = BindExpression(defaultSyntax, new Scope(ImmutableDictionary<string, ParameterSymbol>.Empty));
                defaultValue = ConstantFolder.TryEvaluate(bound);
                if (bound.Type.IsError)
                {
                    defaultValue = null;
                }
                else if (defaultValue is null)
                {
                    Report(DiagnosticDescriptors.DefaultNotConstant, defaultSyntax.Span, parameter.Name.Name);
                }
                else if (!bound.Type.IsAssignableTo(type))
                {
                    Report(DiagnosticDescriptors.TypeMismatch, defaultSyntax.Span, $"the default of '{parameter.Name.Name}'", type, bound.Type);
                    defaultValue = null;
                }
                else
                {
                    defaultValue = Convert(defaultValue, type);
                }
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
            Report(DiagnosticDescriptors.UnknownType, syntax.Span, syntax.Name.Name);
            return TtsType.Error;
        }

        return type;
    }

    private BoundStrategy BindStrategyBody(StrategyDeclarationSyntax syntax, StrategySymbol symbol)
    {
        var scope = new Scope(symbol.Parameters.ToImmutableDictionary(p => p.Name, p => p, StringComparer.Ordinal));
        var errorsBefore = _diagnostics.ErrorCount;
        var statements = ImmutableArray.CreateBuilder<BoundStatement>();
        var returned = false;
        var reportedUnreachable = false;
        foreach (var statement in syntax.Body.Statements)
        {
            if (returned && !reportedUnreachable)
            {
                Report(DiagnosticDescriptors.UnreachableStatement, statement.Span);
                reportedUnreachable = true;
            }

            var bound = BindStatement(statement, scope, symbol);
            if (bound is not null && !returned)
            {
                statements.Add(bound);
            }

            returned |= statement is ReturnStatementSyntax;
        }

        if (!returned && !syntax.Name.IsMissing)
        {
            Report(DiagnosticDescriptors.MissingReturn, syntax.Name.Span, symbol.Name);
        }

        // Uses inside expressions that failed to bind are lost, so "unused" would be noise next to real errors.
        if (_diagnostics.ErrorCount == errorsBefore)
        {
            ReportUnusedLocals(scope, statements);
        }

        var body = statements.ToImmutable();
        return new BoundStrategy(symbol, body, GuaranteeInference.Infer(body));
    }

    private BoundStatement? BindStatement(StatementSyntax syntax, Scope scope, StrategySymbol strategy)
    {
        switch (syntax)
        {
            case PopulationStatementSyntax { Source: SampleSourceSyntax sample } population:
                return BindSampleStatement(population, sample, scope);
            case LetStatementSyntax let:
                var value = BindExpression(let.Value, scope);
                if (value.Type.Kind == TypeKind.Population)
                {
                    value = ReportPopulationAsValue(value, "value");
                }

                var local = new LocalSymbol(let.Name.Name, value.Type, value.Population, let.Name.Span);
                DeclareLocal(scope, let.Name, local);
                return new BoundLetStatement(local, value, let.Span);
            case ReturnStatementSyntax ret:
                var result = BindExpression(ret.Value, scope);
                if (result.Type.Kind == TypeKind.Population)
                {
                    result = ReportPopulationAsValue(result, strategy.ReturnType.ToString());
                }
                else if (result.Population is { } population)
                {
                    Report(DiagnosticDescriptors.PerParticleValueNotAllowed, result.Span, "the returned value", population.Name);
                    result = new BoundErrorExpression(result.Span);
                }
                else if (!result.Type.IsAssignableTo(strategy.ReturnType))
                {
                    Report(DiagnosticDescriptors.ReturnTypeMismatch, result.Span, strategy.Name, strategy.ReturnType, result.Type);
                    result = new BoundErrorExpression(result.Span);
                }

                return new BoundReturnStatement(result, ret.Span);
            default:
                return null;
        }
    }

    private BoundStatement? BindSampleStatement(PopulationStatementSyntax statement, SampleSourceSyntax syntax, Scope scope)
    {
        ModelSymbol? model = null;
        if (!syntax.Model.IsMissing)
        {
            if (_globals.TryGetValue(syntax.Model.Name, out var symbol) && symbol is ModelSymbol m)
            {
                model = m;
            }
            else
            {
                Report(DiagnosticDescriptors.UndefinedModel, syntax.Model.Span, syntax.Model.Name,
                    Suggest(syntax.Model.Name, _globals.Values.OfType<ModelSymbol>().Select(s => s.Name)));
            }
        }

        var signature = new ArgumentSignature("sample", DecodeOptionRules.Names, Positional: 1, Required: new[] { DecodeOptionRules.Prompt });
        var matched = MatchArguments(signature, syntax.Arguments, syntax.Model.IsMissing ? syntax.Span : syntax.Model.Span);
        BoundExpression Option(string name, object defaultValue)
        {
            if (!matched.TryGetValue(name, out var argument))
            {
                return new BoundLiteral(defaultValue, TtsType.FromName(defaultValue switch { long => "int", double => "real", _ => "text" })!, syntax.Span);
            }

            return BindOption(name, argument, scope);
        }

        var prompt = matched.TryGetValue(DecodeOptionRules.Prompt, out var promptSyntax)
            ? BindOption(DecodeOptionRules.Prompt, promptSyntax, scope)
            : new BoundErrorExpression(syntax.Span);
        var options = new BoundDecodeOptions(
            Option(DecodeOptionRules.Count, DecodeOptionRules.DefaultCount),
            Option(DecodeOptionRules.Temperature, DecodeOptionRules.DefaultTemperature),
            Option(DecodeOptionRules.TopK, DecodeOptionRules.DefaultTopK),
            Option(DecodeOptionRules.TopP, DecodeOptionRules.DefaultTopP),
            Option(DecodeOptionRules.MaxTokens, DecodeOptionRules.DefaultMaxTokens),
            matched.TryGetValue(DecodeOptionRules.Stop, out var stop)
                ? BindOption(DecodeOptionRules.Stop, stop, scope)
                : new BoundList(ImmutableArray<BoundExpression>.Empty, TtsType.ListOf(TtsType.Text), syntax.Span));

        var local = new LocalSymbol(statement.Name.Name, TtsType.Population, null, statement.Name.Span);
        DeclareLocal(scope, statement.Name, local);
        return model is null ? null : new BoundSampleStatement(local, model, prompt, options, statement.Span);
    }

    /// <summary>Binds one decoding option: a single value (not per particle) of the option's type, in range when constant.</summary>
    private BoundExpression BindOption(string name, ExpressionSyntax syntax, Scope scope)
    {
        var value = BindExpression(syntax, scope);
        var expected = DecodeOptionRules.TypeOf(name);
        if (value.Type.IsError)
        {
            return value;
        }

        if (value.Type.Kind == TypeKind.Population)
        {
            return ReportPopulationAsValue(value, expected.ToString());
        }

        if (value.Population is { } population)
        {
            Report(DiagnosticDescriptors.PerParticleValueNotAllowed, value.Span, $"'{name}'", population.Name);
            return new BoundErrorExpression(value.Span);
        }

        // A single stop string is the one-element list.
        if (name == DecodeOptionRules.Stop && value.Type.Equals(TtsType.Text))
        {
            value = new BoundList(ImmutableArray.Create(value), TtsType.ListOf(TtsType.Text), value.Span);
        }

        if (!value.Type.IsAssignableTo(expected))
        {
            var wanted = name == DecodeOptionRules.Stop ? "text or a list of text" : expected.ToString();
            Report(DiagnosticDescriptors.TypeMismatch, value.Span, $"'{name}'", wanted, value.Type);
            return new BoundErrorExpression(value.Span);
        }

        if (ConstantFolder.TryEvaluate(value) is { } constant)
        {
            constant = Convert(constant, expected);
            if (DecodeOptionRules.Check(name, constant) is { } expectation)
            {
                Report(DiagnosticDescriptors.ConstantOutOfRange, value.Span, $"'{name}'", expectation, DecodeOptionRules.FormatValue(constant));
                return new BoundErrorExpression(value.Span);
            }

            // Constants are folded here so later stages (and `tts check`) see plain values.
            return value is BoundList ? value : new BoundLiteral(constant, expected, value.Span);
        }

        return value;
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

    private void ReportUnusedLocals(Scope scope, IReadOnlyList<BoundStatement> statements)
    {
        var used = new HashSet<LocalSymbol>();
        foreach (var statement in statements)
        {
            foreach (var expression in BoundTreeWalker.Expressions(statement))
            {
                switch (expression)
                {
                    case BoundLocalReference reference:
                        used.Add(reference.Local);
                        break;
                    case BoundParticleText text:
                        used.Add(text.PopulationSymbol);
                        break;
                    case BoundSelection selection:
                        used.Add(selection.PopulationSymbol);
                        break;
                }
            }
        }

        foreach (var local in scope.Locals.Where(l => !used.Contains(l)))
        {
            Report(local.IsPopulation ? DiagnosticDescriptors.UnusedPopulation : DiagnosticDescriptors.UnusedLocal, local.DeclarationSpan, local.Name);
        }
    }

    private BoundExpression BindExpression(ExpressionSyntax syntax, Scope scope)
    {
        switch (syntax)
        {
            case LiteralExpressionSyntax literal:
                return new BoundLiteral(literal.Value, literal.Kind switch
                {
                    LiteralKind.Int => TtsType.Int,
                    LiteralKind.Real => TtsType.Real,
                    LiteralKind.Text => TtsType.Text,
                    _ => TtsType.Bool,
                }, literal.Span);
            case NameExpressionSyntax name:
                return BindName(name, scope);
            case CallExpressionSyntax call:
                return BindCall(call, scope);
            case UnaryExpressionSyntax unary:
                return BindUnary(unary, scope);
            case BinaryExpressionSyntax binary:
                return BindBinary(binary, scope);
            case ListExpressionSyntax list:
                return BindList(list, scope);
            default:
                return new BoundErrorExpression(syntax.Span);
        }
    }

    private BoundExpression BindName(NameExpressionSyntax syntax, Scope scope)
    {
        var name = syntax.Name.Name;
        if (syntax.Name.IsMissing)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (scope.Lookup(name) is { } symbol)
        {
            return symbol switch
            {
                LocalSymbol local => new BoundLocalReference(local, syntax.Span),
                ParameterSymbol parameter => new BoundParameterReference(parameter, syntax.Span),
                _ => new BoundErrorExpression(syntax.Span),
            };
        }

        if (_globals.TryGetValue(name, out var global) && global is ModelSymbol)
        {
            Report(DiagnosticDescriptors.ModelUsedAsValue, syntax.Span, name);
            return new BoundErrorExpression(syntax.Span);
        }

        var hint = BuiltinFunction.Lookup(name) is { } function
            ? $": '{name}' is a function, call it as {function.Signature}"
            : _globals.TryGetValue(name, out var strategy) && strategy is StrategySymbol
                ? $": '{name}' is a strategy, and calling strategies comes in a later version of the language"
                : Suggest(name, scope.VisibleNames());
        Report(DiagnosticDescriptors.UndefinedName, syntax.Span, name, hint);
        return new BoundErrorExpression(syntax.Span);
    }

    private BoundExpression BindCall(CallExpressionSyntax syntax, Scope scope)
    {
        var name = syntax.Callee.Name;
        switch (name)
        {
            case "":
                return new BoundErrorExpression(syntax.Span);
            case "sample":
                return BindSelection(syntax, scope, SelectionKind.Sample, keyName: null, keyRequired: false);
            case "best":
                return BindSelection(syntax, scope, SelectionKind.Best, keyName: "by", keyRequired: true);
            case "vote":
                return BindSelection(syntax, scope, SelectionKind.Vote, keyName: "key", keyRequired: false);
        }

        if (BuiltinFunction.Lookup(name) is not { } function)
        {
            var candidates = BuiltinFunction.All.Select(f => f.Name).Concat(new[] { "sample", "best", "vote" });
            Report(DiagnosticDescriptors.UnknownFunction, syntax.Callee.Span, name, Suggest(name, candidates, ": the built-ins are len, count, contains, ends_with, sample, best and vote"));
            foreach (var argument in syntax.Arguments)
            {
                BindExpression(argument.Value, scope);
            }

            return new BoundErrorExpression(syntax.Span);
        }

        return BindBuiltinCall(syntax, function, scope);
    }

    private BoundExpression BindBuiltinCall(CallExpressionSyntax syntax, BuiltinFunction function, Scope scope)
    {
        var named = syntax.Arguments.FirstOrDefault(a => a.Name is not null);
        if (named is not null)
        {
            Report(DiagnosticDescriptors.UnknownNamedArgument, named.Name!.Span, function.Name, named.Name.Name, $": {function.Name} takes positional arguments only, {function.Signature}");
            return new BoundErrorExpression(syntax.Span);
        }

        var arguments = syntax.Arguments.Select(a => BindExpression(a.Value, scope)).ToList();
        if (arguments.Count != function.ParameterTypes.Length)
        {
            Report(DiagnosticDescriptors.WrongArgumentCount, syntax.Span, function.Name,
                $"{Plural(function.ParameterTypes.Length, "argument")} ({function.Signature})", arguments.Count == 1 ? "1 was" : $"{arguments.Count} were");
            return new BoundErrorExpression(syntax.Span);
        }

        var lifted = ImmutableArray.CreateBuilder<BoundExpression>();
        LocalSymbol? population = null;
        var failed = false;
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Type.IsError)
            {
                failed = true;
                continue;
            }

            // A population passed to a text function means "each particle's text": the call is lifted.
            if (argument.Type.Kind == TypeKind.Population && argument is BoundLocalReference reference)
            {
                argument = new BoundParticleText(reference.Local, argument.Span);
            }

            if (!argument.Type.IsAssignableTo(function.ParameterTypes[i]))
            {
                Report(DiagnosticDescriptors.TypeMismatch, argument.Span, $"argument {i + 1} of {function.Name}",
                    function.ParameterTypes[i], argument.Type);
                failed = true;
                continue;
            }

            if (!TryJoinPopulations(ref population, argument))
            {
                failed = true;
                continue;
            }

            lifted.Add(argument);
        }

        return failed ? new BoundErrorExpression(syntax.Span) : new BoundBuiltinCall(function, lifted.ToImmutable(), population, syntax.Span);
    }

    /// <summary>sample(xs), best(xs, by: key), vote(xs) / vote(xs, key: k).</summary>
    private BoundExpression BindSelection(CallExpressionSyntax syntax, Scope scope, SelectionKind kind, string? keyName, bool keyRequired)
    {
        var name = syntax.Callee.Name;
        var parameters = keyName is null ? new[] { "population" } : new[] { "population", keyName };
        var required = keyRequired ? parameters : new[] { "population" };
        var matched = MatchArguments(new ArgumentSignature(name, parameters, Positional: 1, required), syntax.Arguments, syntax.Callee.Span);
        if (!matched.TryGetValue("population", out var populationSyntax))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var populationValue = BindExpression(populationSyntax, scope);
        if (populationValue.Type.IsError)
        {
            return populationValue;
        }

        if (populationValue is not BoundLocalReference { Local.IsPopulation: true } reference)
        {
            Report(DiagnosticDescriptors.TypeMismatch, populationValue.Span, $"the first argument of {name}", "a population", Describe(populationValue));
            return new BoundErrorExpression(syntax.Span);
        }

        var population = reference.Local;
        BoundExpression? key = null;
        if (keyName is not null && matched.TryGetValue(keyName, out var keySyntax))
        {
            key = BindExpression(keySyntax, scope);
            if (key.Type.IsError)
            {
                return new BoundErrorExpression(syntax.Span);
            }

            if (key.Type.Kind == TypeKind.Population && key is BoundLocalReference keyReference)
            {
                key = new BoundParticleText(keyReference.Local, key.Span);
            }

            var keyDescription = kind == SelectionKind.Best ? "score `by`" : "`key`";
            if (key.Population is null)
            {
                Report(DiagnosticDescriptors.TypeMismatch, key.Span, $"the {keyDescription} of {name}",
                    $"a value per particle of '{population.Name}' (e.g. len({population.Name}))", $"a single {key.Type}");
                return new BoundErrorExpression(syntax.Span);
            }

            if (key.Population != population)
            {
                Report(DiagnosticDescriptors.KeyFromOtherPopulation, key.Span, keyDescription, name, population.Name, key.Population.Name);
                return new BoundErrorExpression(syntax.Span);
            }

            if (kind == SelectionKind.Best && !key.Type.IsNumeric)
            {
                Report(DiagnosticDescriptors.TypeMismatch, key.Span, $"the score `by` of {name}", "int or real", key.Type);
                return new BoundErrorExpression(syntax.Span);
            }
        }

        var type = kind == SelectionKind.Vote && key is not null ? key.Type : TtsType.Text;
        return new BoundSelection(kind, population, key, type, syntax.Span);
    }

    private BoundExpression BindUnary(UnaryExpressionSyntax syntax, Scope scope)
    {
        var operand = BindExpression(syntax.Operand, scope);
        var op = syntax.Operator == "-" ? UnaryOperator.Negate : UnaryOperator.Not;
        if (operand.Type.Kind == TypeKind.Population)
        {
            return ReportPopulationAsValue(operand, op == UnaryOperator.Negate ? "number" : "bool");
        }

        var type = Operators.ResultType(op, operand.Type);
        if (type is null)
        {
            Report(DiagnosticDescriptors.InvalidOperands, syntax.Span, Operators.Text(op), operand.Type, "nothing", "");
            return new BoundErrorExpression(syntax.Span);
        }

        return type.IsError ? new BoundErrorExpression(syntax.Span) : new BoundUnary(op, operand, type, syntax.Span);
    }

    private BoundExpression BindBinary(BinaryExpressionSyntax syntax, Scope scope)
    {
        var left = BindExpression(syntax.Left, scope);
        var right = BindExpression(syntax.Right, scope);
        if (Operators.ParseBinary(syntax.Operator) is not { } op || left.Type.IsError || right.Type.IsError)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (left.Type.Kind == TypeKind.Population)
        {
            return ReportPopulationAsValue(left, "single value");
        }

        if (right.Type.Kind == TypeKind.Population)
        {
            return ReportPopulationAsValue(right, "single value");
        }

        var type = Operators.ResultType(op, left.Type, right.Type);
        if (type is null)
        {
            var hint = op == BinaryOperator.Modulo ? ": % takes two ints" : "";
            Report(DiagnosticDescriptors.InvalidOperands, syntax.Span, Operators.Text(op), left.Type, right.Type, hint);
            return new BoundErrorExpression(syntax.Span);
        }

        LocalSymbol? population = null;
        if (!TryJoinPopulations(ref population, left) || !TryJoinPopulations(ref population, right))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (op is BinaryOperator.Divide or BinaryOperator.Modulo && ConstantFolder.TryEvaluate(right) is long or double
            && System.Convert.ToDouble(ConstantFolder.TryEvaluate(right), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            Report(DiagnosticDescriptors.DivisionByZero, syntax.Right.Span);
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundBinary(left, op, right, type, population, syntax.Span);
    }

    private BoundExpression BindList(ListExpressionSyntax syntax, Scope scope)
    {
        var elements = syntax.Elements.Select(e => BindExpression(e, scope)).ToImmutableArray();
        if (elements.Any(e => e.Type.IsError))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var element = elements.Length == 0 ? TtsType.Text : elements[0].Type;
        foreach (var e in elements)
        {
            if (e.Type.Kind == TypeKind.Population)
            {
                return ReportPopulationAsValue(e, "list element");
            }

            if (e.Population is { } population)
            {
                Report(DiagnosticDescriptors.PerParticleValueNotAllowed, e.Span, "a list element", population.Name);
                return new BoundErrorExpression(syntax.Span);
            }

            if (!e.Type.Equals(element))
            {
                Report(DiagnosticDescriptors.TypeMismatch, e.Span, "every element of this list", element, e.Type);
                return new BoundErrorExpression(syntax.Span);
            }
        }

        return new BoundList(elements, TtsType.ListOf(element), syntax.Span);
    }

    /// <summary>Per-particle values may only combine within one population.</summary>
    private bool TryJoinPopulations(ref LocalSymbol? population, BoundExpression value)
    {
        if (value.Population is null)
        {
            return true;
        }

        if (population is null || population == value.Population)
        {
            population = value.Population;
            return true;
        }

        Report(DiagnosticDescriptors.MixedPopulations, value.Span, population.Name, value.Population.Name);
        return false;
    }

    private BoundExpression ReportPopulationAsValue(BoundExpression value, string wanted)
    {
        var name = value is BoundLocalReference reference ? reference.Local.Name : "this";
        Report(DiagnosticDescriptors.PopulationUsedAsValue, value.Span, name, wanted);
        return new BoundErrorExpression(value.Span);
    }

    private Dictionary<string, ExpressionSyntax> MatchArguments(ArgumentSignature signature, ImmutableArray<ArgumentSyntax> arguments, TextSpan callSpan)
    {
        var matched = new Dictionary<string, ExpressionSyntax>(StringComparer.Ordinal);
        var position = 0;
        var sawNamed = false;
        foreach (var argument in arguments)
        {
            string name;
            if (argument.Name is null)
            {
                if (sawNamed)
                {
                    Report(DiagnosticDescriptors.PositionalAfterNamed, argument.Span);
                    continue;
                }

                if (position >= signature.Positional)
                {
                    var named = signature.Parameters.Skip(signature.Positional).Select(p => p + ":").ToList();
                    var takes = named.Count == 0
                        ? Plural(signature.Positional, "argument")
                        : $"{Plural(signature.Positional, "positional argument")} (name the others: {string.Join(", ", named)})";
                    Report(DiagnosticDescriptors.WrongArgumentCount, argument.Span, signature.Name, takes, $"{position + 1} were");
                    continue;
                }

                name = signature.Parameters[position++];
            }
            else
            {
                sawNamed = true;
                name = argument.Name.Name;
                if (argument.Name.IsMissing)
                {
                    continue;
                }

                if (!signature.Parameters.Contains(name))
                {
                    Report(DiagnosticDescriptors.UnknownNamedArgument, argument.Name.Span, signature.Name, name,
                        Suggest(name, signature.Parameters, $": it takes {string.Join(", ", signature.Parameters)}"));
                    continue;
                }
            }

            if (matched.ContainsKey(name))
            {
                Report(DiagnosticDescriptors.DuplicateArgument, argument.Span, name);
                continue;
            }

            matched.Add(name, argument.Value);
        }

        foreach (var required in signature.Required.Where(r => !matched.ContainsKey(r)))
        {
            var index = signature.Parameters.ToList().IndexOf(required);
            var how = index < signature.Positional ? $"its {Ordinal(index + 1)} argument ({required})" : $"the argument `{required}:`";
            Report(DiagnosticDescriptors.MissingArgument, callSpan, signature.Name, how);
        }

        return matched;
    }

    private static string Describe(BoundExpression value) =>
        value.Population is { } population ? $"a value per particle of '{population.Name}'" : $"a {value.Type}";

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Ordinal(int n) => n switch { 1 => "first", 2 => "second", 3 => "third", _ => $"#{n}" };

    private static object Convert(object value, TtsType type) =>
        type.Kind == TypeKind.Real && value is long l ? (double)l : value;

    private int LineOf(TextSpan span) => _source.GetLinePosition(span.Start).Line + 1;

    private void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments) =>
        _diagnostics.Report(descriptor, _source.GetLocation(span), arguments);

    /// <summary>": did you mean 'x'?" for the closest candidate within edit distance 2, else the fallback.</summary>
    private static string Suggest(string name, IEnumerable<string> candidates, string fallback = "")
    {
        var best = candidates
            .Distinct()
            .Select(c => (Candidate: c, Distance: EditDistance.Between(name, c)))
            .Where(c => c.Distance <= Math.Min(2, Math.Max(1, name.Length / 2)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Candidate is null ? fallback : $": did you mean '{best.Candidate}'?";
    }

    /// <summary>What a call accepts: parameter names in order, how many may be positional, which are required.</summary>
    private sealed record ArgumentSignature(string Name, IReadOnlyList<string> Parameters, int Positional, IReadOnlyList<string> Required);

    /// <summary>Names visible in a strategy body: parameters, then locals in declaration order.</summary>
    private sealed class Scope
    {
        private readonly List<LocalSymbol> _locals = new();
        private readonly ImmutableDictionary<string, ParameterSymbol> _parameters;

        public Scope(ImmutableDictionary<string, ParameterSymbol> parameters)
        {
            _parameters = parameters;
        }

        public IReadOnlyList<LocalSymbol> Locals => _locals;

        public Symbol? Lookup(string name) =>
            (Symbol?)_locals.FirstOrDefault(l => l.Name == name) ?? (_parameters.TryGetValue(name, out var p) ? p : null);

        public void Declare(LocalSymbol local) => _locals.Add(local);

        public IEnumerable<string> VisibleNames() => _parameters.Keys.Concat(_locals.Select(l => l.Name));
    }
}
