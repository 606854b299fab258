using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// Implicit conversions: identity, int to real, and constants to a numeric kind (a literal 0.5 may be a
    /// Score or a Prob; a computed real may not). Lists convert element-wise.
    /// </summary>
    private static bool IsAssignable(BoundExpression value, TtsType target) =>
        value.Type.IsAssignableTo(target)
        || (target.IsNumericKind && value.Type.IsNumeric && value.Population is null && ConstantFolder.TryEvaluate(value) is not null);

    /// <summary>Gives a value the type it is converted to (a constant becoming a Score, an int becoming a real).</summary>
    private static BoundExpression Retype(BoundExpression value, TtsType target)
    {
        if (value.Type.Equals(target) || value.Type.IsError || target.Kind == TypeKind.List)
        {
            return value;
        }

        if (ConstantFolder.TryEvaluate(value) is { } constant && value.Population is null && target.Kind != TypeKind.Text)
        {
            return new BoundLiteral(Convert(constant, target), target, value.Span);
        }

        return value;
    }

    /// <summary>One value (not per particle, not a population) of the expected type; constants folded.</summary>
    private BoundExpression BindSingleValue(ExpressionSyntax syntax, Scope scope, string what, TtsType expected)
    {
        var value = BindExpression(syntax, scope);
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
            Report(DiagnosticDescriptors.PerParticleValueNotAllowed, value.Span, what, population.Name);
            return new BoundErrorExpression(value.Span);
        }

        if (!IsAssignable(value, expected))
        {
            ReportTypeMismatch(value.Span, what, expected, value.Type);
            return new BoundErrorExpression(value.Span);
        }

        value = Retype(value, expected);
        return ConstantFolder.TryEvaluate(value) is { } constant && value is not BoundList && constant is not object[]
            ? new BoundLiteral(Convert(constant, expected), expected, value.Span)
            : value;
    }

    private (BoundExpression Prompt, BoundDecodeOptions Options) BindDecodeCall(
        IdentifierSyntax callee, ImmutableArray<ArgumentSyntax> arguments, Scope scope, IReadOnlyList<string> names, string keyword, string[]? extra)
    {
        var (prompt, options, _) = BindDecodeArguments(callee, arguments, scope, names, keyword, extra ?? Array.Empty<string>());
        return (prompt, options);
    }

    /// <summary>
    /// The decoding options of sample, race, extend and speculative: every option an expression (defaults filled in),
    /// so later stages never look at the syntax again. <paramref name="extra"/> names arguments the caller binds itself.
    /// </summary>
    private (BoundExpression Prompt, BoundDecodeOptions Options, Dictionary<string, ExpressionSyntax> Matched) BindDecodeArguments(
        IdentifierSyntax callee, ImmutableArray<ArgumentSyntax> arguments, Scope scope, IReadOnlyList<string> names, string keyword, string[] extra)
    {
        var takesPrompt = names.Contains(DecodeOptionRules.Prompt);
        var signature = new ArgumentSignature(keyword, names, Positional: takesPrompt ? 1 : 0,
            Required: takesPrompt ? new[] { DecodeOptionRules.Prompt } : Array.Empty<string>());
        var matched = MatchArguments(signature, arguments, callee.IsMissing ? arguments.FirstOrDefault()?.Span ?? callee.Span : callee.Span);
        var span = callee.Span;

        BoundExpression Option(string name, object defaultValue)
        {
            if (!matched.TryGetValue(name, out var argument))
            {
                return new BoundLiteral(defaultValue, DecodeOptionRules.TypeOf(name), span);
            }

            return BindOption(name, argument, scope);
        }

        BoundExpression ListOption(string name) =>
            matched.TryGetValue(name, out var value)
                ? BindOption(name, value, scope)
                : new BoundList(ImmutableArray<BoundExpression>.Empty, TtsType.ListOf(TtsType.Text), span);

        var prompt = !takesPrompt
            ? new BoundLiteral("", TtsType.Text, span)
            : matched.TryGetValue(DecodeOptionRules.Prompt, out var promptSyntax)
                ? BindOption(DecodeOptionRules.Prompt, promptSyntax, scope)
                : new BoundErrorExpression(span);
        var options = new BoundDecodeOptions(
            Option(DecodeOptionRules.Count, DecodeOptionRules.DefaultCount),
            Option(DecodeOptionRules.Temperature, DecodeOptionRules.DefaultTemperature),
            Option(DecodeOptionRules.TopK, DecodeOptionRules.DefaultTopK),
            Option(DecodeOptionRules.TopP, DecodeOptionRules.DefaultTopP),
            Option(DecodeOptionRules.MaxTokens, DecodeOptionRules.DefaultMaxTokens),
            ListOption(DecodeOptionRules.Stop),
            Option(DecodeOptionRules.MinP, DecodeOptionRules.DefaultMinP),
            ListOption(DecodeOptionRules.Forbid));
        return (prompt, options, matched);
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

        var isList = expected.Kind == TypeKind.List;

        // A single string is the one-element list.
        if (isList && value.Type.Equals(TtsType.Text))
        {
            value = new BoundList(ImmutableArray.Create(value), TtsType.ListOf(TtsType.Text), value.Span);
        }

        if (!value.Type.IsAssignableTo(expected))
        {
            var wanted = isList ? "text or a list of text" : expected.ToString();
            ReportTypeMismatch(value.Span, $"'{name}'", wanted, value.Type);
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
}
