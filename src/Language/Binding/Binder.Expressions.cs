using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

public sealed partial class Binder
{
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
            if (symbol is LocalSymbol declaredInFork && _strategy?.ForkDeclared?.Contains(declaredInFork) == true)
            {
                Report(DiagnosticDescriptors.ForkBranchDependency, syntax.Span, name);
                return new BoundErrorExpression(syntax.Span);
            }

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

        if (_defaultOf is { } parameterWithDefault && _headerParameterNames?.Contains(name) == true)
        {
            Report(DiagnosticDescriptors.DefaultNotConstant, syntax.Span, parameterWithDefault);
            return new BoundErrorExpression(syntax.Span);
        }

        var hint = BuiltinFunction.Lookup(name) is { } function
            ? $": '{name}' is a function, call it as {function.Signature}"
            : _globals.TryGetValue(name, out var callable) && callable is StrategySymbol or FunctionSymbol
                ? $": '{name}' is a {(callable is FunctionSymbol f ? f.KindName : "strategy")}, call it as {name}(...)"
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
                return BindSelection(syntax, scope, SelectionKind.Sample, new[] { "population" }, required: new[] { "population" });
            case "best":
                return BindSelection(syntax, scope, SelectionKind.Best, new[] { "population", "by" }, required: new[] { "population", "by" });
            case "vote":
                return BindSelection(syntax, scope, SelectionKind.Vote, new[] { "population", "key", "weight" }, required: new[] { "population" });
            case "first":
                return BindSelection(syntax, scope, SelectionKind.First, new[] { "population", "where", "otherwise" }, required: new[] { "population", "where" });
            case "rank":
                return BindRank(syntax, scope);
            case "spawn":
                return BindSpawn(syntax, scope);
            case "repeat":
                return BindRepeat(syntax, scope);
            case "speculative":
                return BindSpeculative(syntax, scope);
        }

        if (_globals.TryGetValue(name, out var global))
        {
            switch (global)
            {
                case StrategySymbol strategy:
                    return BindStrategyCall(syntax, strategy, scope);
                case FunctionSymbol function:
                    return BindFunctionCall(syntax, function, scope);
                case ModelSymbol:
                    Report(DiagnosticDescriptors.ModelUsedAsValue, syntax.Callee.Span, name);
                    return new BoundErrorExpression(syntax.Span);
            }
        }

        var overloads = BuiltinFunction.Overloads(name);
        if (overloads.IsEmpty)
        {
            var candidates = BuiltinFunction.Names.Concat(Reductions).Concat(_globals.Values.Where(g => g is StrategySymbol or FunctionSymbol).Select(g => g.Name));
            Report(DiagnosticDescriptors.UnknownFunction, syntax.Callee.Span, name,
                Suggest(name, candidates, $": the built-ins are {string.Join(", ", BuiltinFunction.Names.Concat(Reductions))}"));
            foreach (var argument in syntax.Arguments)
            {
                BindExpression(argument.Value, scope);
            }

            return new BoundErrorExpression(syntax.Span);
        }

        return BindBuiltinCall(syntax, overloads, scope);
    }

    private static readonly string[] Reductions = { "sample", "best", "vote", "first", "rank", "spawn", "repeat", "speculative" };

    private BoundExpression BindBuiltinCall(CallExpressionSyntax syntax, ImmutableArray<BuiltinFunction> overloads, Scope scope)
    {
        var first = overloads[0];
        var named = syntax.Arguments.FirstOrDefault(a => a.Name is not null);
        if (named is not null)
        {
            Report(DiagnosticDescriptors.UnknownNamedArgument, named.Name!.Span, first.Name, named.Name.Name, $": {first.Name} takes positional arguments only, {first.Signature}");
            return new BoundErrorExpression(syntax.Span);
        }

        var arguments = syntax.Arguments.Select(a => LiftPopulation(BindExpression(a.Value, scope))).ToList();
        if (arguments.Any(a => a.Type.IsError))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var arity = overloads.Where(f => f.ParameterTypes.Length == arguments.Count).ToList();
        if (arity.Count == 0)
        {
            Report(DiagnosticDescriptors.WrongArgumentCount, syntax.Span, first.Name,
                $"{Plural(first.ParameterTypes.Length, "argument")} ({first.Signature})", arguments.Count == 1 ? "1 was" : $"{arguments.Count} were");
            return new BoundErrorExpression(syntax.Span);
        }

        var function = arity.FirstOrDefault(f => f.ParameterTypes.Select((t, i) => arguments[i].Type.Equals(t)).All(x => x))
                       ?? arity.FirstOrDefault(f => f.ParameterTypes.Select((t, i) => IsAssignable(arguments[i], t)).All(x => x));
        if (function is null)
        {
            var position = Enumerable.Range(0, arguments.Count).First(i => !arity.Any(f => IsAssignable(arguments[i], f.ParameterTypes[i])));
            var accepted = string.Join(" or ", arity.Select(f => f.ParameterTypes[position].ToString()).Distinct());
            Report(DiagnosticDescriptors.TypeMismatch, arguments[position].Span, $"argument {position + 1} of {first.Name}", accepted, arguments[position].Type);
            return new BoundErrorExpression(syntax.Span);
        }

        LocalSymbol? population = null;
        var converted = ImmutableArray.CreateBuilder<BoundExpression>();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (!TryJoinPopulations(ref population, arguments[i]))
            {
                return new BoundErrorExpression(syntax.Span);
            }

            converted.Add(Retype(arguments[i], function.ParameterTypes[i]));
        }

        return new BoundBuiltinCall(function, converted.ToImmutable(), population, syntax.Span);
    }

    /// <summary>A population passed where a text is expected means "each particle's text": the call is lifted.</summary>
    private static BoundExpression LiftPopulation(BoundExpression value) =>
        value is BoundLocalReference { Local.IsPopulation: true } reference ? new BoundParticleText(reference.Local, value.Span) : value;

    /// <summary>A reward, verifier or extractor applied to one text, or to each particle of a population.</summary>
    private BoundExpression BindFunctionCall(CallExpressionSyntax syntax, FunctionSymbol function, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature(function.Name, new[] { "text" }, Positional: 1, new[] { "text" }), syntax.Arguments, syntax.Callee.Span);
        if (!matched.TryGetValue("text", out var argumentSyntax))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var argument = LiftPopulation(BindExpression(argumentSyntax, scope));
        if (argument.Type.IsError)
        {
            return argument;
        }

        if (!argument.Type.Equals(TtsType.Text))
        {
            Report(DiagnosticDescriptors.TypeMismatch, argument.Span, $"the argument of {function.KindName} {function.Name}", "text (or a population, for each particle)", argument.Type);
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundFunctionCall(function, argument, syntax.Span);
    }

    private BoundExpression BindStrategyCall(CallExpressionSyntax syntax, StrategySymbol strategy, Scope scope)
    {
        var parameters = strategy.Parameters.Select(p => p.Name).ToList();
        var matched = MatchArguments(new ArgumentSignature(strategy.Name, parameters, parameters.Count, strategy.Parameters.Where(p => p.IsRequired).Select(p => p.Name).ToList()),
            syntax.Arguments, syntax.Callee.Span);
        var arguments = ImmutableArray.CreateBuilder<BoundExpression>();
        var failed = _recursive.Contains(strategy) || !_boundStrategies.ContainsKey(strategy);
        foreach (var parameter in strategy.Parameters)
        {
            if (!matched.TryGetValue(parameter.Name, out var argumentSyntax))
            {
                arguments.Add(parameter.DefaultValue is { } value ? new BoundLiteral(value, parameter.Type, syntax.Span) : new BoundErrorExpression(syntax.Span));
                failed |= parameter.DefaultValue is null;
                continue;
            }

            var argument = BindSingleValue(argumentSyntax, scope, $"argument '{parameter.Name}' of {strategy.Name}", parameter.Type);
            failed |= argument.Type.IsError;
            arguments.Add(argument);
        }

        return failed ? new BoundErrorExpression(syntax.Span) : new BoundStrategyCall(strategy, arguments.ToImmutable(), syntax.Span);
    }

    /// <summary>rank(xs, by: score, top: k): the k best particles, as a new population.</summary>
    private BoundExpression BindRank(CallExpressionSyntax syntax, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature("rank", new[] { "population", "by", "top" }, 1, new[] { "population", "by", "top" }), syntax.Arguments, syntax.Callee.Span);
        if (BindPopulationArgument(matched, scope, "rank") is not { } population
            || !matched.TryGetValue("by", out var bySyntax) || !matched.TryGetValue("top", out var topSyntax))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var by = BindKey(bySyntax, scope, population, "rank", "score `by`");
        var top = BindSingleValue(topSyntax, scope, "`top` of rank", TtsType.Int);
        if (ConstantFolder.TryEvaluate(top) is long k && k < 1)
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, topSyntax.Span, "`top` of rank", "at least 1", k);
            return new BoundErrorExpression(syntax.Span);
        }

        if (by is null || top.Type.IsError)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (!by.Type.IsNumeric && !by.Type.IsNumericKind)
        {
            Report(DiagnosticDescriptors.TypeMismatch, by.Span, "the score `by` of rank", "a number or Score", by.Type);
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundRank(population, by, top, syntax.Span);
    }

    /// <summary>spawn(n, prompt: q): n particles with an empty continuation of q.</summary>
    private BoundExpression BindSpawn(CallExpressionSyntax syntax, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature("spawn", new[] { "n", "prompt" }, 1, new[] { "n" }), syntax.Arguments, syntax.Callee.Span);
        var count = matched.TryGetValue("n", out var countSyntax) ? BindCount(countSyntax, scope, "the count of spawn") : new BoundErrorExpression(syntax.Span);
        var prompt = matched.TryGetValue("prompt", out var promptSyntax)
            ? BindSingleValue(promptSyntax, scope, "the prompt of spawn", TtsType.Text)
            : new BoundLiteral("", TtsType.Text, default);
        return count.Type.IsError || prompt.Type.IsError ? new BoundErrorExpression(syntax.Span) : new BoundSpawn(count, prompt, syntax.Span);
    }

    /// <summary>repeat(k, strategy(args)): k independent runs of one strategy call.</summary>
    private BoundExpression BindRepeat(CallExpressionSyntax syntax, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature("repeat", new[] { "n", "call" }, 2, new[] { "n", "call" }), syntax.Arguments, syntax.Callee.Span);
        if (!matched.TryGetValue("n", out var countSyntax) || !matched.TryGetValue("call", out var callSyntax))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var count = BindCount(countSyntax, scope, "the count of repeat");
        var call = BindExpression(callSyntax, scope);
        if (call.Type.IsError || count.Type.IsError)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (call is not BoundStrategyCall strategyCall || strategyCall.Type.Kind == TypeKind.Population)
        {
            Report(DiagnosticDescriptors.TypeMismatch, call.Span, "the second argument of repeat", "a call of a strategy returning a single value", Describe(call));
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundRepeat(count, strategyCall, syntax.Span);
    }

    /// <summary>speculative(prompt, target: m, draft: d, k: 4, n: .., temperature: .., ...).</summary>
    private BoundExpression BindSpeculative(CallExpressionSyntax syntax, Scope scope)
    {
        var extra = new[] { "target", "draft", "k" };
        var (prompt, options, matched) = BindDecodeArguments(syntax.Callee, syntax.Arguments, scope, DecodeOptionRules.Names.Concat(extra).ToList(), "speculative", extra);
        ModelSymbol? Model(string name) =>
            matched.TryGetValue(name, out var value) && value is NameExpressionSyntax { Name: var id } ? LookupModel(id, $"`{name}:` of speculative")
            : matched.TryGetValue(name, out var other) ? ReportNotModel(other, name) : null;
        foreach (var required in new[] { "target", "draft" }.Where(r => !matched.ContainsKey(r)))
        {
            Report(DiagnosticDescriptors.MissingArgument, syntax.Callee.Span, "speculative", $"the argument `{required}:`");
        }

        var target = Model("target");
        var draft = Model("draft");
        var lookahead = matched.TryGetValue("k", out var kSyntax) ? BindCount(kSyntax, scope, "the lookahead k of speculative") : BudgetMath.Constant(4);
        if (target is null || draft is null || prompt.Type.IsError || lookahead.Type.IsError)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundSpeculative(target, draft, lookahead, prompt, options, syntax.Span);
    }

    private ModelSymbol? ReportNotModel(ExpressionSyntax value, string name)
    {
        Report(DiagnosticDescriptors.TypeMismatch, value.Span, $"`{name}:` of speculative", "a model name", "an expression");
        return null;
    }

    private BoundExpression BindCount(ExpressionSyntax syntax, Scope scope, string what)
    {
        var value = BindSingleValue(syntax, scope, what, TtsType.Int);
        if (ConstantFolder.TryEvaluate(value) is long n && n < 1)
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, syntax.Span, what, "at least 1", n);
            return new BoundErrorExpression(syntax.Span);
        }

        return value;
    }

    /// <summary>sample(xs), best(xs, by: s), vote(xs, key: k, weight: w), first(xs, where: c, otherwise: t).</summary>
    private BoundExpression BindSelection(CallExpressionSyntax syntax, Scope scope, SelectionKind kind, string[] parameters, string[] required)
    {
        var name = syntax.Callee.Name;
        var matched = MatchArguments(new ArgumentSignature(name, parameters, Positional: 1, required), syntax.Arguments, syntax.Callee.Span);
        if (BindPopulationArgument(matched, scope, name) is not { } population)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        BoundExpression? Key(string parameter, string description) =>
            matched.TryGetValue(parameter, out var keySyntax) ? BindKey(keySyntax, scope, population, name, description) : null;

        var failed = false;
        BoundExpression? key = null;
        BoundExpression? weight = null;
        BoundExpression? otherwise = null;
        switch (kind)
        {
            case SelectionKind.Best:
                key = Key("by", "score `by`");
                failed = key is null || !CheckNumericKey(key, "the score `by` of best");
                break;
            case SelectionKind.Vote:
                key = Key("key", "`key`");
                weight = Key("weight", "`weight`");
                failed = (matched.ContainsKey("key") && key is null) || (matched.ContainsKey("weight") && (weight is null || !CheckNumericKey(weight, "the `weight` of vote")));
                break;
            case SelectionKind.First:
                key = Key("where", "condition `where`");
                if (key is not null && !key.Type.Equals(TtsType.Bool))
                {
                    Report(DiagnosticDescriptors.TypeMismatch, key.Span, "the condition `where` of first", "bool", key.Type);
                    failed = true;
                }

                failed |= key is null;
                if (matched.TryGetValue("otherwise", out var otherwiseSyntax))
                {
                    otherwise = BindSingleValue(otherwiseSyntax, scope, "the fallback `otherwise` of first", TtsType.Text);
                    failed |= otherwise.Type.IsError;
                }

                break;
        }

        if (failed)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        var type = kind == SelectionKind.Vote && key is not null ? key.Type : TtsType.Text;
        return new BoundSelection(kind, population, key, type, syntax.Span, weight, otherwise);
    }

    private bool CheckNumericKey(BoundExpression key, string what)
    {
        if (key.Type.IsNumeric || key.Type.Kind is TypeKind.Score or TypeKind.Prob)
        {
            return true;
        }

        Report(DiagnosticDescriptors.TypeMismatch, key.Span, what, "a number, Score or Prob", key.Type);
        return false;
    }

    private LocalSymbol? BindPopulationArgument(Dictionary<string, ExpressionSyntax> matched, Scope scope, string name)
    {
        if (!matched.TryGetValue("population", out var populationSyntax))
        {
            return null;
        }

        var populationValue = BindExpression(populationSyntax, scope);
        if (populationValue.Type.IsError)
        {
            return null;
        }

        if (populationValue is not BoundLocalReference { Local.IsPopulation: true } reference)
        {
            Report(DiagnosticDescriptors.TypeMismatch, populationValue.Span, $"the first argument of {name}", "a population", Describe(populationValue));
            return null;
        }

        return reference.Local;
    }

    /// <summary>A value per particle of the population; a reward, verifier or extractor name alone means "applied to each particle".</summary>
    private BoundExpression? BindKey(ExpressionSyntax syntax, Scope scope, LocalSymbol population, string name, string description)
    {
        BoundExpression key;
        if (syntax is NameExpressionSyntax { Name.Name: var functionName } && scope.Lookup(functionName) is null
            && _globals.TryGetValue(functionName, out var global) && global is FunctionSymbol function)
        {
            key = new BoundFunctionCall(function, new BoundParticleText(population, syntax.Span), syntax.Span);
        }
        else
        {
            key = LiftPopulation(BindExpression(syntax, scope));
        }

        if (key.Type.IsError)
        {
            return null;
        }

        if (key.Population is null)
        {
            Report(DiagnosticDescriptors.TypeMismatch, key.Span, $"the {description} of {name}",
                $"a value per particle of '{population.Name}' (e.g. len({population.Name}))", $"a single {key.Type}");
            return null;
        }

        if (key.Population != population)
        {
            Report(DiagnosticDescriptors.KeyFromOtherPopulation, key.Span, description, name, population.Name, key.Population.Name);
            return null;
        }

        return key;
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
            var hint = op == UnaryOperator.Negate ? ": '-' negates int, real, LogWeight and Score" : ": 'not' negates a bool";
            Report(DiagnosticDescriptors.InvalidOperand, syntax.Span, Operators.Text(op), WithArticle(operand.Type.ToString()), hint);
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
            return ReportPopulationAsValue(left, "value");
        }

        if (right.Type.Kind == TypeKind.Population)
        {
            return ReportPopulationAsValue(right, "value");
        }

        // Constants take the numeric kind of the other side: `prm(ps) > 0.5`, `w + 1.0`.
        if (left.Type.IsNumericKind && right.Type.IsNumeric && ConstantFolder.TryEvaluate(right) is not null && op is not (BinaryOperator.Multiply or BinaryOperator.Divide))
        {
            right = Retype(right, left.Type);
        }
        else if (right.Type.IsNumericKind && left.Type.IsNumeric && ConstantFolder.TryEvaluate(left) is not null && op != BinaryOperator.Multiply)
        {
            left = Retype(left, right.Type);
        }

        var type = Operators.ResultType(op, left.Type, right.Type);
        if (type is null)
        {
            var hint = op == BinaryOperator.Modulo ? ": % takes two ints"
                : left.Type.Equals(right.Type) && left.Type.Kind == TypeKind.Prob ? ": Prob values only multiply (independent events); for other arithmetic convert with real(p)"
                : left.Type.Equals(right.Type) && left.Type.IsNumericKind ? $": {WithArticle(left.Type.ToString())} adds to its own kind and scales by a plain number; convert with real(x) for other arithmetic"
                : left.Type.IsNumericKind || right.Type.IsNumericKind ? $": {left.Type} and {right.Type} do not mix; convert one explicitly (real(x), score(x), prob(x), weight(x), log(x))"
                : "";
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
        var reportedTooMany = false;
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

                if (position >= signature.Positional && reportedTooMany)
                {
                    continue;
                }

                if (position >= signature.Positional)
                {
                    reportedTooMany = true;
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

        foreach (var required in signature.Required.Where(r => !matched.ContainsKey(r) && !HasSyntaxErrorOnLineOf(callSpan)))
        {
            var index = signature.Parameters.ToList().IndexOf(required);
            var how = index < signature.Positional ? $"its {Ordinal(index + 1)} argument ({required})" : $"the argument `{required}:`";
            Report(DiagnosticDescriptors.MissingArgument, callSpan, signature.Name, how);
        }

        return matched;
    }

    private static string Describe(BoundExpression value) =>
        value.Population is { } population ? $"a value per particle of '{population.Name}'" : WithArticle(value.Type.ToString());

}
