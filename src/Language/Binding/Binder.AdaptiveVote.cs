using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>Adaptive stopping: <c>adaptive_vote(prompt, from: M, n: N, wave: W, key: answer, ...)</c>.</summary>
public sealed partial class Binder
{
    private static readonly string[] AdaptiveVoteExtra = { "from", "wave", "key" };

    /// <summary>
    /// A majority vote over up to n draws of M that draws them in waves of <c>wave</c> and stops once the leader cannot be
    /// overtaken by the draws left: its result is the full vote's. <c>key</c> names the answer each draw votes for: the
    /// built-in <c>answer</c> or an extractor (default: the whole text).
    /// </summary>
    private BoundExpression BindAdaptiveVote(CallExpressionSyntax syntax, Scope scope)
    {
        var (prompt, options, matched) = BindDecodeArguments(syntax.Callee, syntax.Arguments, scope,
            DecodeOptionRules.Names.Concat(AdaptiveVoteExtra).ToList(), "adaptive_vote", AdaptiveVoteExtra);
        ModelSymbol? model = null;
        if (!matched.TryGetValue("from", out var modelSyntax))
        {
            Report(DiagnosticDescriptors.MissingArgument, syntax.Callee.Span, "adaptive_vote", "the argument `from:` (the model to draw from)");
        }
        else if (modelSyntax is NameExpressionSyntax { Name: var id })
        {
            model = LookupModel(id, "`from:` of adaptive_vote");
        }
        else
        {
            ReportTypeMismatch(modelSyntax.Span, "`from:` of adaptive_vote", "a model name", "an expression");
        }

        var wave = matched.TryGetValue("wave", out var waveSyntax) ? BindCount(waveSyntax, scope, "the wave of adaptive_vote") : BudgetMath.Constant(4);
        var key = AdaptiveVoteKey.WholeText;
        FunctionSymbol? extractor = null;
        var keyFailed = false;
        if (matched.TryGetValue("key", out var keySyntax))
        {
            if (keySyntax is NameExpressionSyntax { Name.Name: "answer" })
            {
                key = AdaptiveVoteKey.Answer;
            }
            else if (keySyntax is NameExpressionSyntax { Name.Name: var name } && _globals.TryGetValue(name, out var global)
                     && global is FunctionSymbol { Kind: FunctionKind.Extractor } function)
            {
                key = AdaptiveVoteKey.Extractor;
                extractor = function;
            }
            else
            {
                ReportTypeMismatch(keySyntax.Span, "`key:` of adaptive_vote", "answer or the name of an extractor", "something else");
                keyFailed = true;
            }
        }

        if (model is null || keyFailed || prompt.Type.IsError || wave.Type.IsError)
        {
            return new BoundErrorExpression(syntax.Span);
        }

        return new BoundAdaptiveVote(model, prompt, options, wave, key, extractor, syntax.Span);
    }
}
