using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Model likelihoods as values: <c>logp(M, x, after: p)</c>.</summary>
public sealed partial class Binder
{
    private static readonly string[] LogProbParameters = { "model", "text", "after" };

    /// <summary>
    /// <c>logp(M, x, after: p)</c>: the log-probability model M gives x after the prompt p, a LogWeight. x is a text (single
    /// or per particle), or a population, whose particles' own tokens are scored (EOS included when a particle ended
    /// with it); p is a text, single or per particle of the same population.
    /// </summary>
    private BoundExpression BindLogProb(CallExpressionSyntax syntax, Scope scope)
    {
        var matched = MatchArguments(new ArgumentSignature("logp", LogProbParameters, Positional: 2, LogProbParameters), syntax.Arguments, syntax.Callee.Span);
        ModelSymbol? model = null;
        if (matched.TryGetValue("model", out var modelSyntax))
        {
            if (modelSyntax is NameExpressionSyntax { Name: var id })
            {
                model = LookupModel(id, "scoring with logp");
            }
            else
            {
                ReportTypeMismatch(modelSyntax.Span, "the first argument of logp", "a model name", "an expression");
            }
        }

        BoundExpression? Text(string parameter, string what)
        {
            if (!matched.TryGetValue(parameter, out var valueSyntax))
            {
                return null;
            }

            var value = LiftPopulation(BindExpression(valueSyntax, scope));
            if (value.Type.IsError)
            {
                return null;
            }

            if (!value.Type.Equals(TtsType.Text))
            {
                ReportTypeMismatch(value.Span, what, "text (or a population, for each particle)", value.Type);
                return null;
            }

            return value;
        }

        var text = Text("text", "the text logp scores");
        var after = Text("after", "`after:` of logp");
        if (model is null || text is null || after is null)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        LocalSymbol? population = null;
        if (!TryJoinPopulations(ref population, text) || !TryJoinPopulations(ref population, after))
        {
            return new BoundErrorExpression(syntax.Span);
        }

        // A population itself (not a text computed from it) is scored by its particles' own tokens.
        var particles = text is BoundParticleText particle && matched["text"] is NameExpressionSyntax ? particle.PopulationSymbol : null;
        return new BoundLogProb(model, text, after, particles, population, syntax.Span);
    }
}
