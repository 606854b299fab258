using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>
/// Guarantee inference, compositional: every population carries a law (exact = i.i.d. draws of a target,
/// consistent = properly weighted for it, heuristic = none), every random value the law of what it was
/// computed from, and a call the guarantee of its callee. The rules, with their reasons: docs/guarantees.md.
/// </summary>
public sealed partial class Binder
{
    private const string ResamplingReason =
        "SMC with unbiased resampling (E[offspring] = N·weight) keeps the population properly weighted for the target (Del Moral 2004; Naesseth, Lindsten & Schön 2019)";

    /// <summary>The law of a value, or null when it does not depend on any sampling.</summary>
    private GuaranteeInfo? LawOf(BoundExpression value)
    {
        switch (value)
        {
            case BoundSelection selection:
                return SelectionLaw(selection);
            case BoundStrategyCall call when _boundStrategies.TryGetValue(call.Strategy, out var callee):
                var g = callee.Guarantee;
                return Cap(g with
                {
                    Target = WithArguments(g.Target, call),
                    Reason = $"{call.Strategy.Name}(...) is {g.LevelName}: {g.Reason}",
                    ReasonSpan = call.Span,
                }, call.Arguments);
            case BoundLocalReference local:
                return _strategy.ValueLaw.TryGetValue(local.Local, out var law) ? law : null;
            case BoundParticleText or BoundLiteral or BoundParameterReference or BoundErrorExpression:
                return null;
        }

        var random = BoundTreeWalker.Children(value).Select(LawOf).OfType<GuaranteeInfo>().ToList();
        switch (random.Count)
        {
            case 0:
                return null;
            case 1:
                var only = random[0];
                return only.Level == Guarantee.Heuristic ? only : only with { Target = $"the law of {SourceOf(value.Span)} when {DescribeOperand(only)}" };
            default:
                // Two random values may be dependent (two draws from one population, a draw before and after an smc
                // on it); the compiler does not track their joint law, so it claims none.
                var worst = random.OrderByDescending(r => r.Level).First();
                return worst.Level == Guarantee.Heuristic
                    ? worst
                    : new GuaranteeInfo(Guarantee.Heuristic, "none",
                        $"{SourceOf(value.Span)} combines several random values, whose joint law the compiler does not track", value.Span);
        }
    }

    /// <summary>
    /// The weakest law among random inputs (a prompt, an option, an argument, a condition) that is weaker than exact,
    /// or null. A result computed from such inputs is at most that strong: a text sampled from a prompt that follows
    /// no stated law follows none either, and one from a prompt that is only consistent is only consistent.
    /// </summary>
    private GuaranteeInfo? InputLaw(IEnumerable<BoundExpression> inputs) =>
        inputs.Select(LawOf).OfType<GuaranteeInfo>().Where(l => l.Level != Guarantee.Exact).OrderByDescending(l => l.Level).FirstOrDefault();

    /// <summary>Caps a law by the laws of its inputs (see <see cref="InputLaw"/>).</summary>
    private GuaranteeInfo Cap(GuaranteeInfo law, IEnumerable<BoundExpression> inputs) => CapBy(law, InputLaw(inputs));

    private static GuaranteeInfo CapBy(GuaranteeInfo law, GuaranteeInfo? input)
    {
        if (input is null || input.Level <= law.Level)
        {
            return law;
        }

        return input.Level == Guarantee.Heuristic
            ? input
            : law with { Level = input.Level, Reason = $"{law.Reason}; but an input is only {input.LevelName}: {input.Reason}", ReasonSpan = input.ReasonSpan };
    }

    /// <summary>A callee's target names its parameters; at a call site, say what they are: "..., where temperature = 0.5".</summary>
    private string WithArguments(string target, BoundStrategyCall call)
    {
        var bindings = call.Strategy.Parameters
            .Where(p => System.Text.RegularExpressions.Regex.IsMatch(target, $@"\b{p.Name}\b"))
            .Select(p => (p.Name, Value: SourceOrValue(call.Arguments[p.Ordinal])))
            .Where(b => b.Value != b.Name)
            .Select(b => $"{b.Name} = {b.Value}")
            .ToList();
        return bindings.Count == 0 ? target : $"{target}, where {string.Join(", ", bindings)}";
    }

    private static string DescribeOperand(GuaranteeInfo law) => $"its random part follows {law.Target}";

    private GuaranteeInfo SelectionLaw(BoundSelection selection)
    {
        var name = selection.PopulationSymbol.Name;
        var population = PopulationLaw(selection.PopulationSymbol);
        switch (selection.Kind)
        {
            case SelectionKind.Sample:
                return population.Level switch
                {
                    Guarantee.Exact => new GuaranteeInfo(Guarantee.Exact, population.Target,
                        $"sample({name}) draws one particle uniformly from i.i.d. draws of the target", selection.Span),
                    Guarantee.Consistent => new GuaranteeInfo(Guarantee.Consistent, population.Target,
                        $"sample({name}) draws a particle in proportion to its weight, and its law converges to the target as particles grow, because {population.Reason}", selection.Span),
                    _ => population,
                };
            case SelectionKind.First:
                if (population.Level == Guarantee.Exact)
                {
                    var fallback = selection.Otherwise is null ? "no output" : $"the fallback {SourceOf(selection.Otherwise.Span)}";
                    var rejection = new GuaranteeInfo(Guarantee.Exact, $"{population.Target}, conditioned on {SourceOf(selection.Key!.Span)}",
                        $"first({name}, where: ...) is rejection sampling: the first of i.i.d. draws that passes follows the target conditioned on passing (when none passes, {fallback})",
                        selection.Span);

                    // A random condition or fallback makes the law a mixture the target does not name.
                    var random = new[] { selection.Key, selection.Otherwise }.OfType<BoundExpression>().Select(LawOf).OfType<GuaranteeInfo>().FirstOrDefault();
                    return random is null ? rejection : new GuaranteeInfo(Guarantee.Heuristic, "none",
                        $"first({name}, ...) has a random condition or fallback, whose mixture with the draws the compiler does not track", selection.Span);
                }

                return population.Level == Guarantee.Heuristic ? population : new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"first({name}, where: ...) over a weighted population ignores the weights", selection.Span);
            case SelectionKind.Best:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", $"best({name}, by: ...) returns an argmax, which follows no stated law", selection.Span);
            default:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", $"vote({name}, ...) returns a mode, which follows no stated law", selection.Span);
        }
    }

    private GuaranteeInfo PopulationLaw(LocalSymbol population) =>
        _strategy.PopulationLaw.TryGetValue(population, out var law)
            ? law
            : new GuaranteeInfo(Guarantee.Heuristic, "none", $"the law of '{population.Name}' is unknown", population.DeclarationSpan);

    /// <summary>The law of a population-valued expression: spawn, rank, repeat, speculative, a strategy call, another population.</summary>
    private GuaranteeInfo PopulationLawOf(BoundExpression value, TextSpan span)
    {
        switch (value)
        {
            case BoundSpawn spawn:
                return Cap(new GuaranteeInfo(Guarantee.Exact, $"continuations of {SourceOf(spawn.Prompt.Span) switch { "" => "the empty prompt", var p => p }}",
                    "spawn(...) makes identical particles, to be extended by an smc or search block", span), new[] { spawn.Prompt, spawn.Count });
            case BoundRank rank:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"rank({rank.PopulationSymbol.Name}, ...) keeps the top-scoring particles, which follows no stated law", rank.Span);
            case BoundRepeat repeat:
                var law = LawOf(repeat.Call) ?? new GuaranteeInfo(Guarantee.Exact, "a point mass", "the repeated call does not sample", span);
                return law.Level == Guarantee.Heuristic ? law : law with
                {
                    Reason = $"repeat runs {repeat.Call.Strategy.Name}(...) independently, so the population holds i.i.d. draws of its output law ({law.LevelName})",
                    ReasonSpan = repeat.Span,
                };
            case BoundSpeculative speculative:
                return new GuaranteeInfo(Guarantee.Exact,
                    $"{speculative.Target.Name}({SourceOf(speculative.Prompt.Span)}) with temperature {SourceOrValue(speculative.Options.Temperature)}, at most {SourceOrValue(speculative.Options.MaxTokens)} tokens",
                    $"speculative sampling accepts each draft token with probability min(1, p/q) and redraws rejections from normalize((p - q)+), so every text follows {speculative.Target.Name} exactly (Leviathan et al. 2023; Chen et al. 2023)",
                    speculative.Span) is var speculativeLaw ? Cap(speculativeLaw, BoundTreeWalker.Options(speculative.Options).Prepend(speculative.Prompt).Append(speculative.Lookahead)) : null!;
            case BoundStrategyCall call when _boundStrategies.TryGetValue(call.Strategy, out var callee):
                return Cap(callee.Guarantee with { Target = WithArguments(callee.Guarantee.Target, call), Reason = $"{call.Strategy.Name}(...) returns a population that is {callee.Guarantee.LevelName}: {callee.Guarantee.Reason}", ReasonSpan = call.Span }, call.Arguments);
            case BoundLocalReference { Local.IsPopulation: true } reference:
                return PopulationLaw(reference.Local);
            default:
                return new GuaranteeInfo(Guarantee.Heuristic, "none", "the population's law is unknown", span);
        }
    }

    private string SourceOrValue(BoundExpression expression) =>
        expression is BoundLiteral literal ? Constants.Format(literal.Value) : SourceOf(expression.Span);

    /// <summary>
    /// After an smc block: with weights (factor, observe, condition) the population is properly weighted for the
    /// reweighted target (consistent); with none it is still i.i.d. draws of the extended proposal (exact).
    /// </summary>
    private GuaranteeInfo SmcLaw(LocalSymbol population, GuaranteeInfo? before, BlockContext context, BoundExpression steps, TextSpan span)
    {
        if (before is null || before.Level == Guarantee.Heuristic)
        {
            return before ?? PopulationLaw(population);
        }

        var target = $"{before.Target}, {string.Join(", ", context.TargetParts)}, for up to {BudgetMath.Format(steps)} steps";
        var law = !context.Weighted && before.Level == Guarantee.Exact
            ? new GuaranteeInfo(Guarantee.Exact, target, "extending i.i.d. particles with no weights keeps them i.i.d. draws of the extended law", span)
            : new GuaranteeInfo(Guarantee.Consistent, target, ResamplingReason, span);

        // Options or weights computed from random values cap the block's law.
        return CapBy(law, context.InputLaws.OrderByDescending(l => l.Level).FirstOrDefault());
    }

    private GuaranteeInfo ReturnedPopulationLaw(LocalSymbol population, TextSpan span)
    {
        var law = PopulationLaw(population);
        return law.Level switch
        {
            Guarantee.Exact => law with { Reason = $"returns '{population.Name}', i.i.d. draws of the target; {law.Reason}" },
            Guarantee.Consistent => law with { Reason = $"returns '{population.Name}', properly weighted for the target; {law.Reason}" },
            _ => law,
        };
    }

    /// <summary>The particle count of a population-valued expression, when the binder can say.</summary>
    private BoundExpression? SizeOf(BoundExpression value) => value switch
    {
        BoundSpawn spawn => spawn.Count,
        BoundRank rank => rank.Top,
        BoundRepeat repeat => repeat.Count,
        BoundSpeculative speculative => speculative.Options.Count,
        BoundLocalReference reference when _strategy.PopulationSize.TryGetValue(reference.Local, out var size) => size,
        BoundStrategyCall call when _returnedSizes.TryGetValue(call.Strategy, out var returned) && returned is not null =>
            BudgetMath.Substitute(returned, p => call.Arguments[p.Ordinal]),
        _ => null,
    };
}
