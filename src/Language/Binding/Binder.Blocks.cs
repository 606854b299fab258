using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Effects;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>The bounded loops: smc and search blocks over a population, and refine; their options and steps.</summary>
public sealed partial class Binder
{
    private BoundStatement BindSmc(SmcStatementSyntax syntax, Scope scope)
    {
        var population = LookupPopulation(syntax.Target, scope, "smc");
        var options = BindLoopOptions(syntax.Options, scope, "smc", new[]
        {
            new LoopOptionRule("resample", "=", null),
            new LoopOptionRule("ess", "<", TtsType.Real),
            new LoopOptionRule("steps", "<=", TtsType.Int),
            new LoopOptionRule("iterations", "=", TtsType.Int),
            new LoopOptionRule("temper", "=", TtsType.Real),
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
        var iterations = BindSmcIterations(options, scope, resample, ess is not null);
        var temper = BindSmcTemper(options, scope, resample);
        if (population is null)
        {
            return BindBodyOfFailedBlock(syntax.Target, syntax.Body, scope, BlockKind.Smc, steps, syntax.Span);
        }

        var context = new BlockContext(BlockKind.Smc, population);
        var body = BindLoopBody(syntax.Body, scope, context);

        if (resample != ResampleMethod.None && !context.Weighted && !HasSyntaxErrorIn(syntax.Body.Span))
        {
            Report(DiagnosticDescriptors.ResampleUnweighted, options["resample"].Span, population.Name);
        }

        // Particle Gibbs resamples at every step by design (its sweeps repair collapsed paths), and tempering is itself the
        // remedy for collapse, so neither is told to add an ESS rule.
        if (resample != ResampleMethod.None && ess is null && iterations is null && temper is null && (ConstantFolder.TryEvaluate(steps) is not long s || s > 8))
        {
            Report(DiagnosticDescriptors.ResampleWithoutEss, options["resample"].Span, BudgetMath.Format(steps));
        }

        return new BoundSmcStatement(population, resample, ess, steps, body, syntax.Span) { Weighted = context.Weighted, Iterations = iterations, Temper = temper };
    }

    /// <summary>
    /// <c>iterations = K</c> (particle Gibbs): at least 1; needs <c>resample = multinomial</c> at every step, the
    /// resampler whose draws are i.i.d., so the reference particle can keep its own ancestor while the others draw theirs.
    /// </summary>
    private BoundExpression? BindSmcIterations(Dictionary<string, LoopOptionSyntax> options, Scope scope, ResampleMethod resample, bool adaptive)
    {
        if (!options.TryGetValue("iterations", out var syntax))
        {
            return null;
        }

        var value = BindSingleValue(syntax.Value, scope, "`iterations`", TtsType.Int);
        if (ConstantFolder.TryEvaluate(value) is long k && k < 1)
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, syntax.Value.Span, "`iterations`", "at least 1", k);
        }

        if (resample != ResampleMethod.Multinomial || adaptive)
        {
            Report(DiagnosticDescriptors.SmcOptionNeedsResampling, syntax.Span, "particle Gibbs (`iterations`) resamples conditionally at every step",
                "write `resample = multinomial` with no `ess` rule (the reference particle keeps its own ancestor, the others draw theirs i.i.d. from the weights)");
        }

        return value.Type.IsError ? null : value;
    }

    /// <summary><c>temper = f</c> (entropic weighting): f in (0, 1]; it shapes resampling, so the block must resample.</summary>
    private BoundExpression? BindSmcTemper(Dictionary<string, LoopOptionSyntax> options, Scope scope, ResampleMethod resample)
    {
        if (!options.TryGetValue("temper", out var syntax))
        {
            return null;
        }

        var value = BindSingleValue(syntax.Value, scope, "`temper`", TtsType.Real);
        if (ConstantFolder.TryEvaluate(value) is { } constant && System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) is var f && !(f > 0 && f <= 1))
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, syntax.Value.Span, "`temper`", "in (0, 1] (the ESS to reach, as a fraction of the particle count)", Constants.Format(constant));
        }

        if (resample == ResampleMethod.None)
        {
            Report(DiagnosticDescriptors.SmcOptionNeedsResampling, syntax.Span, "`temper` tempers the weights that resampling draws from",
                "add `resample = systematic` (or another resampler)");
        }

        return value.Type.IsError ? null : value;
    }

    private BoundStatement BindSearch(SearchStatementSyntax syntax, Scope scope)
    {
        var population = LookupPopulation(syntax.Target, scope, "search");
        var options = BindLoopOptions(syntax.Options, scope, "search", new[]
        {
            new LoopOptionRule("method", "=", null),
            new LoopOptionRule("width", "=", TtsType.Int),
            new LoopOptionRule("expand", "=", TtsType.Int),
            new LoopOptionRule("groups", "=", TtsType.Int),
            new LoopOptionRule("steps", "<=", TtsType.Int),
            new LoopOptionRule("explore", "=", TtsType.Real),
        });
        var method = SearchMethod.Beam;
        if (options.TryGetValue("method", out var methodSyntax))
        {
            method = ParseMethod(methodSyntax, "search method", new Dictionary<string, SearchMethod>
            {
                ["beam"] = SearchMethod.Beam,
                ["diverse"] = SearchMethod.DiverseBeam,
                ["best_first"] = SearchMethod.BestFirst,
                ["mcts"] = SearchMethod.Mcts,
                ["puct"] = SearchMethod.Puct,
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
            Report(DiagnosticDescriptors.UnknownLoopOption, groupsSyntax.Name.Span, "groups", $"a {SearchMethodNames.Of(method)}", ": groups are for method = diverse");
        }

        var explore = BindExplore(options, scope, method);
        var steps = BindSteps(options, scope, syntax.Span, "this search block", "steps <= N");
        if (population is null)
        {
            return BindBodyOfFailedBlock(syntax.Target, syntax.Body, scope, BlockKind.Search, steps, syntax.Span);
        }

        var body = BindLoopBody(syntax.Body, scope, new BlockContext(BlockKind.Search, population));
        return new BoundSearchStatement(population, method, width, expand, groups, steps, body, syntax.Span) { Explore = explore };
    }

    /// <summary>
    /// <c>explore = c</c> (UCT's exploration constant, default 1) is an option of <c>method = mcts</c> only, which keeps
    /// every node it grows, so it takes no <c>width</c>.
    /// </summary>
    private BoundExpression? BindExplore(Dictionary<string, LoopOptionSyntax> options, Scope scope, SearchMethod method)
    {
        options.TryGetValue("explore", out var syntax);
        if (method is not (SearchMethod.Mcts or SearchMethod.Puct))
        {
            if (syntax is not null)
            {
                Report(DiagnosticDescriptors.UnknownLoopOption, syntax.Name.Span, "explore", $"a {SearchMethodNames.Of(method)}", ": explore is for method = mcts or puct");
            }

            return null;
        }

        if (options.TryGetValue("width", out var width))
        {
            Report(DiagnosticDescriptors.UnknownLoopOption, width.Name.Span, "width", $"a {SearchMethodNames.Of(method)}",
                ": it keeps every node it adds, one per simulation (steps <= N counts simulations; expand = k children per node)");
        }

        if (syntax is null)
        {
            return new BoundLiteral(1.0, TtsType.Real, default);
        }

        var value = BindSingleValue(syntax.Value, scope, "`explore`", TtsType.Real);
        if (ConstantFolder.TryEvaluate(value) is { } constant && System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) is var c && !(c >= 0))
        {
            Report(DiagnosticDescriptors.ConstantOutOfRange, syntax.Value.Span, "`explore`", "at least 0", Constants.Format(constant));
        }

        return value;
    }

    /// <summary>
    /// The body of a block whose population is not one is still checked, so its own mistakes are reported; the
    /// block's name is already reported, so statements naming it stay silent about it.
    /// </summary>
    private BoundStatement BindBodyOfFailedBlock(IdentifierSyntax target, BlockSyntax body, Scope scope, BlockKind kind, BoundExpression steps, TextSpan span)
    {
        _failedTargets.Add(target.Name);
        var statements = BindLoopBody(body, scope, new BlockContext(kind, null));
        _failedTargets.Remove(target.Name);
        return new BoundFailedBlock(kind, steps, statements, span);
    }

    private readonly HashSet<string> _failedTargets = new(StringComparer.Ordinal);

    /// <summary>Binds a loop body in its own scope: names declared in it hold per-step values, not visible after the block.</summary>
    private ImmutableArray<BoundStatement> BindLoopBody(BlockSyntax body, Scope scope, BlockContext context)
    {
        var inner = scope.Nested();

        // A loop body holds no return (EffectRules), so nothing in it is unreachable.
        var statements = BindBlock(body.Statements, inner, context).Reachable;
        _strategy.NestedLocals.AddRange(inner.Locals);
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

    private BoundStatement BindRefine(RefineStatementSyntax syntax, Scope scope)
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
        var step = BindExpression(syntax.Step, inner);
        BoundExpression? until = null;
        if (options.TryGetValue("until", out var untilSyntax))
        {
            until = BindSingleValue(untilSyntax.Value, inner, "`until`", TtsType.Bool);
        }

        // A refine that fails is kept as a bad statement: what it spends is still charged. A step of the wrong type
        // declares nothing; an initial value that failed to bind still declares the name (its uses then stay quiet).
        var bound = new BoundRefineStatement(local, initial, step, rounds, until, syntax.Span);
        if (!step.Type.IsError && !initial.Type.IsError && !IsAssignable(step, initial.Type))
        {
            ReportTypeMismatch(step.Span, "the refining step", $"{initial.Type} (like the initial value)", step.Type);
            return new BoundBadStatement(bound);
        }

        // The refined name stays visible after the statement, holding the last round's value.
        DeclareLocal(scope, syntax.Name, local);
        return initial.Type.IsError ? new BoundBadStatement(bound) : bound;
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
        Report(DiagnosticDescriptors.UnknownMethod, option.Value.Span, what, written, string.Join(", ", methods.Keys), Suggest(written, methods.Keys));
        return null;
    }
}
