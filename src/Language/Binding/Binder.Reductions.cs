using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>The calls that take or make a population: sample, best, vote, first, rank, spawn, repeat, speculative.</summary>
public sealed partial class Binder
{
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
            ReportTypeMismatch(by.Span, "the score `by` of rank", "a number or Score", by.Type);
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
            ReportTypeMismatch(call.Span, "the second argument of repeat", "a call of a strategy returning a single value", Describe(call));
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
        ReportTypeMismatch(value.Span, $"`{name}:` of speculative", "a model name", "an expression");
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
                    ReportTypeMismatch(key.Span, "the condition `where` of first", "bool", key.Type);
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

        ReportTypeMismatch(key.Span, what, "a number, Score or Prob", key.Type);
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
            // A population made in place (rank(...), spawn(...), a call) is a population, but a selection reads the
            // particles of a named one: say so, rather than "must be a population, but this is a population".
            if (populationValue.Type.Kind == TypeKind.Population)
            {
                Report(DiagnosticDescriptors.TypeMismatch, populationValue.Span, $"the first argument of {name}", "the name of a population",
                    "a population made in place", $": declare it first, `population ps = {SourceOf(populationValue.Span)}`, then write `{name}(ps{(name == "sample" ? "" : ", ...")})`");
                return null;
            }

            ReportTypeMismatch(populationValue.Span, $"the first argument of {name}", "a population", Describe(populationValue));
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
            ReportTypeMismatch(key.Span, $"the {description} of {name}",
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
}
