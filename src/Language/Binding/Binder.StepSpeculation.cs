using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Two-model step speculation: <c>reextend ps where c by M(...)</c>, <c>step_logp(M, ps)</c> and <c>uniform(ps)</c>.</summary>
public sealed partial class Binder
{
    private static readonly string[] StepLogProbParameters = { "model", "population" };

    private BoundStatement? BindReextend(ReextendStatementSyntax syntax, Scope scope, BlockContext context)
    {
        var population = LookupPopulation(syntax.Target, scope, "reextend");
        var model = LookupModel(syntax.Model);
        var (_, options) = BindDecodeCall(syntax.Model, syntax.Arguments, scope, DecodeOptionRules.StepNames, "reextend", extra: null);
        var draft = context.LastExtend;
        context.LastExtend = null;

        // The random form: `where uniform(ps) >= a` keeps a step with probability min(1, a).
        BoundExpression? condition = null, acceptance = null;
        if (syntax.Condition is BinaryExpressionSyntax { Operator: ">=", Left: CallExpressionSyntax { Callee.Name: "uniform" } uniform } random)
        {
            if (population is not null && !IsUniformOf(uniform, population))
            {
                Report(DiagnosticDescriptors.StepSpeculationMisplaced, uniform.Span,
                    $"write uniform({population.Name}): the uniform of the acceptance test is drawn per particle of the population reextend redraws");
                return null;
            }

            acceptance = LiftPopulation(BindExpression(random.Right, scope));
            if (!acceptance.Type.IsError && !IsAssignable(acceptance, TtsType.Real))
            {
                ReportTypeMismatch(acceptance.Span, "the acceptance probability of reextend (`uniform(ps) >= a`)", TtsType.Real, acceptance.Type);
                return null;
            }
        }
        else
        {
            condition = LiftPopulation(BindExpression(syntax.Condition, scope));
            if (!condition.Type.IsError && !IsAssignable(condition, TtsType.Bool))
            {
                ReportTypeMismatch(condition.Span, "the condition of reextend", TtsType.Bool, condition.Type);
                return null;
            }
        }

        var value = condition ?? acceptance!;
        if (population is null || model is null || value.Type.IsError || !CheckBlockTarget(population, context, "reextend", syntax.Target.Span))
        {
            return null;
        }

        if (value.Population is { } other && other != population)
        {
            Report(DiagnosticDescriptors.MixedPopulations, value.Span, population.Name, other.Name);
            return null;
        }

        if (draft is null || draft.Population != population)
        {
            Report(DiagnosticDescriptors.StepSpeculationMisplaced, syntax.Span,
                $"reextend {population.Name} redraws the step an `extend {population.Name} by ...` just gave: put it right after that extend (only `let` statements between)");
            return null;
        }

        return new BoundReextendStatement(population, model, options, condition, acceptance, draft,
            acceptance is null ? null : ExactLogBound(acceptance, draft, model, options), syntax.Span);
    }

    private static bool IsUniformOf(CallExpressionSyntax uniform, LocalSymbol population) =>
        uniform.Arguments is [{ Name: null, Value: NameExpressionSyntax name }] && name.Name.Name == population.Name;

    /// <summary>
    /// The bound b when <paramref name="acceptance"/> is <c>exp(real(step_logp(L, ps) - step_logp(D, ps)) - b)</c> with L the
    /// redrawing model, D the draft's (another model), b a single value, and both steps decoded from the model's own law
    /// (temperature 1, no truncation, no mask) under the same stop strings and token limit: then a step kept with
    /// probability p_L/(M·p_D), M = exp(b), and otherwise redrawn from L follows L exactly whenever M ≥ sup p_L/p_D.
    /// </summary>
    private static BoundExpression? ExactLogBound(BoundExpression acceptance, BoundExtendStatement draft, ModelSymbol model, BoundDecodeOptions options)
    {
        if (acceptance is not BoundBuiltinCall { Function.Name: "exp", Arguments: [BoundBinary { Operator: BinaryOperator.Subtract } exponent] }
            || exponent.Right.IsPerParticle
            || exponent.Left is not BoundBuiltinCall { Function.Name: "real", Arguments: [BoundBinary { Operator: BinaryOperator.Subtract } ratio] }
            || ratio.Left is not BoundStepLogProb large || ratio.Right is not BoundStepLogProb small
            || large.Model != model || small.Model != draft.Model || model == draft.Model
            || large.PopulationSymbol != draft.Population || small.PopulationSymbol != draft.Population
            || !UntransformedLaw(options) || !UntransformedLaw(draft.Options)
            || !SameConstant(options.MaxTokens, draft.Options.MaxTokens) || !SameConstant(options.Stop, draft.Options.Stop))
        {
            return null;
        }

        return exponent.Right;
    }

    private static bool UntransformedLaw(BoundDecodeOptions options) =>
        ConstantFolder.TryEvaluate(options.Temperature) is 1.0 or 1L
        && ConstantFolder.TryEvaluate(options.TopK) is 0L
        && ConstantFolder.TryEvaluate(options.TopP) is 1.0 or 1L
        && ConstantFolder.TryEvaluate(options.MinP) is 0.0 or 0L
        && options.Forbid is BoundList { Elements.Length: 0 };

    private static bool SameConstant(BoundExpression a, BoundExpression b) =>
        ConstantFolder.TryEvaluate(a) is { } x && ConstantFolder.TryEvaluate(b) is { } y && Constants.Format(x) == Constants.Format(y);

    /// <summary><c>step_logp(M, ps)</c>: inside an smc body, after an extend of <c>ps</c>.</summary>
    private BoundExpression BindStepLogProb(CallExpressionSyntax syntax, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature("step_logp", StepLogProbParameters, Positional: 2, StepLogProbParameters), syntax.Arguments, syntax.Callee.Span);
        if (!matched.TryGetValue("model", out var modelSyntax) || !matched.TryGetValue("population", out var populationSyntax))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        ModelSymbol? model = null;
        if (modelSyntax is NameExpressionSyntax { Name: var modelName })
        {
            model = LookupModel(modelName, "scoring with step_logp");
        }
        else
        {
            ReportTypeMismatch(modelSyntax.Span, "the first argument of step_logp", "a model name", "an expression");
        }

        LocalSymbol? population = null;
        if (populationSyntax is NameExpressionSyntax { Name: var populationName })
        {
            population = LookupPopulation(populationName, scope, "step_logp");
        }
        else
        {
            ReportTypeMismatch(populationSyntax.Span, "the second argument of step_logp", "a population", "an expression");
        }

        if (model is null || population is null)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        if (_strategy.Block is not { } block || !block.Stepped.Contains(population))
        {
            Report(DiagnosticDescriptors.StepSpeculationMisplaced, syntax.Span,
                $"step_logp({model.Name}, {population.Name}) scores the step an `extend {population.Name}` of this smc body gave: use it inside the body, after that extend");
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundStepLogProb(model, population, syntax.Span);
    }

    /// <summary><c>uniform(ps)</c> anywhere but the acceptance test of reextend.</summary>
    private BoundExpression BindMisplacedUniform(CallExpressionSyntax syntax, Scope scope)
    {
        foreach (var argument in syntax.Arguments)
        {
            BindExpression(argument.Value, scope);
        }

        Report(DiagnosticDescriptors.StepSpeculationMisplaced, syntax.Span,
            "uniform(ps) is drawn only as the acceptance test of step speculation, `reextend ps where uniform(ps) >= a by M(...)` (a step kept with probability min(1, a))");
        return new BoundErrorExpression(syntax.Span);
    }
}
