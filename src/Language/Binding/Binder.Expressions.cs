using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Expressions: literals, names, calls of built-ins, functions and strategies, operators and lists.</summary>
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
                : Suggest(name, scope.VisibleNames().Concat(_globals.Where(g => g.Value is FunctionSymbol).Select(g => g.Key)));
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
            case "logp":
                return BindLogProb(syntax, scope);
            case "adaptive_vote":
                return BindAdaptiveVote(syntax, scope);
            case "step_logp":
                return BindStepLogProb(syntax, scope);
            case "uniform":
                return BindMisplacedUniform(syntax, scope);
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

    private static readonly string[] Reductions = { "sample", "best", "vote", "first", "rank", "spawn", "repeat", "speculative", "logp", "adaptive_vote", "step_logp", "uniform" };

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
            ReportTypeMismatch(arguments[position].Span, $"argument {position + 1} of {first.Name}", accepted, arguments[position].Type);
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

        if (function == BuiltinFunction.Matches && ConstantFolder.TryEvaluate(converted[1]) is string pattern && BuiltinFunction.PatternError(pattern) is { } patternError)
        {
            Report(DiagnosticDescriptors.InvalidPattern, converted[1].Span, Constants.Quote(pattern), patternError);
            return new BoundErrorExpression(syntax.Span);
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
            ReportTypeMismatch(argument.Span, $"the argument of {function.KindName} {function.Name}", "text (or a population, for each particle)", argument.Type);
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
        var failed = _recursive.Contains(strategy) || !_boundStrategies.Contains(strategy);
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

        // Joining texts, a population stands for each particle's text, as it does in a built-in: question + ps + "?".
        if (op == BinaryOperator.Add && (left.Type.Equals(TtsType.Text) || right.Type.Equals(TtsType.Text)))
        {
            left = LiftPopulation(left);
            right = LiftPopulation(right);
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

        if (ConstantFolder.OverflowOf(op, left, right) is { } overflow)
        {
            Report(DiagnosticDescriptors.IntegerOverflow, syntax.Span, overflow);
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
                ReportTypeMismatch(e.Span, "every element of this list", element, e.Type);
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

    private static string Describe(BoundExpression value) =>
        value.Population is { } population ? $"a value per particle of '{population.Name}'" : WithArticle(value.Type.ToString());
}
