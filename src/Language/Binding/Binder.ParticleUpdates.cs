using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>The statements of smc and search blocks: extend, and factor / observe / condition / twist / score.</summary>
public sealed partial class Binder
{
    private BoundStatement? BindExtend(ExtendStatementSyntax syntax, Scope scope, BlockContext context)
    {
        var population = LookupPopulation(syntax.Target, scope, "extend");
        var model = LookupModel(syntax.Model);
        var (_, options) = BindDecodeCall(syntax.Model, syntax.Arguments, scope, DecodeOptionRules.StepNames, "extend", extra: null);
        if (population is null || model is null || !CheckBlockTarget(population, context, "extend", syntax.Target.Span))
        {
            return null;
        }

        if (_strategy.DecodedBy.TryGetValue(population, out var decoder) && decoder.Name != model.Name)
        {
            Report(DiagnosticDescriptors.PopulationDecodedByAnotherModel, syntax.Model.Span, population.Name, decoder.Name, model.Name);
            return null;
        }

        RecordDecoder(population, model);

        // A mask's correction (the log-mass of the allowed tokens) is a weight.
        context.Weighted |= options.Forbid is not BoundList { Elements.Length: 0 };
        var extend = new BoundExtendStatement(population, model, options, syntax.Span);
        context.LastExtend = extend;
        context.Stepped.Add(population);
        return extend;
    }

    private void RecordDecoder(LocalSymbol population, ModelSymbol? model)
    {
        if (model is not null && !_strategy.DecodedBy.ContainsKey(population))
        {
            _strategy.DecodedBy[population] = model;
        }
    }

    private bool CheckBlockTarget(LocalSymbol population, BlockContext context, string keyword, TextSpan span)
    {
        if (context.Population is { } own && own != population)
        {
            Report(DiagnosticDescriptors.WrongBlockTarget, span, keyword, population.Name, own.Name);
            return false;
        }

        return true;
    }

    private BoundStatement? BindParticleUpdate(ParticleUpdateSyntax syntax, Scope scope, BlockContext context)
    {
        var keyword = syntax.Kind.ToString().ToLowerInvariant();

        // A weight statement counts as weighting even when its value fails to bind: "nothing weights" would mislead.
        // A twist leaves the target alone but steers resampling, so the particles are weighted, not i.i.d.
        context.Weighted |= syntax.Kind is ParticleUpdateKind.Factor or ParticleUpdateKind.Observe or ParticleUpdateKind.Condition or ParticleUpdateKind.Twist;
        var population = LookupPopulation(syntax.Target, scope, keyword);
        var targetOk = population is not null && CheckBlockTarget(population, context, keyword, syntax.Target.Span);
        var value = LiftPopulation(BindExpression(syntax.Value, scope));
        if (value.Type.IsError)
        {
            return null;
        }

        // The value is checked even when the target failed, so its own mistakes are reported too.
        if (targetOk && value.Population is { } other && other != population)
        {
            Report(DiagnosticDescriptors.MixedPopulations, value.Span, population!.Name, other.Name);
            return null;
        }

        var (expected, hint) = syntax.Kind switch
        {
            ParticleUpdateKind.Factor or ParticleUpdateKind.Twist => (TtsType.LogWeight, LogWeightConversion(value)),
            ParticleUpdateKind.Observe => (TtsType.Prob, $"convert explicitly, e.g. prob({SourceOf(value.Span)}) for a plain number in [0, 1]"),
            ParticleUpdateKind.Score => (TtsType.Score, $"convert explicitly, e.g. score({SourceOf(value.Span)}) for a plain number"),
            _ => (TtsType.Bool, ""),
        };
        if (!IsAssignable(value, expected))
        {
            if (expected.IsNumericKind && (value.Type.IsNumericKind || value.Type.IsNumeric))
            {
                Report(DiagnosticDescriptors.KindMismatch, value.Span, $"the value of `{keyword}`", expected, value.Type, hint);
            }
            else
            {
                ReportTypeMismatch(value.Span, $"the value of `{keyword}`", expected, value.Type);
            }

            return null;
        }

        value = Retype(value, expected);
        if (!targetOk)
        {
            return null;
        }

        if (syntax.Kind == ParticleUpdateKind.Factor && IsUntemperedScoreLog(value))
        {
            _diagnostics.Report(DiagnosticDescriptors.ScoreWeightWithoutTemperature, _source.GetLocation(value.Span));
        }

        var update = new BoundParticleUpdate(syntax.Kind, population!, value, syntax.Span);
        if (syntax.Kind == ParticleUpdateKind.Twist && ++context.Twists > 1)
        {
            // Kept as a bad statement: its value is still charged, and its law still caps the block's.
            Report(DiagnosticDescriptors.TwistUnbalanced, syntax.Span, population!.Name);
            return new BoundBadStatement(update);
        }

        return update;
    }

    /// <summary><c>log(s)</c> of a Score used as a weight as it is: the warning asks for a temperature.</summary>
    private static bool IsUntemperedScoreLog(BoundExpression value) =>
        value is BoundBuiltinCall { Function.Name: "log" } call && call.Arguments[0].Type.Kind == TypeKind.Score;

    /// <summary>The conversion to a LogWeight written with the program's own expression (the reward is not always `prm`).</summary>
    private string LogWeightConversion(BoundExpression value)
    {
        var source = SourceOf(value.Span);
        if (value.Type.Kind == TypeKind.Score)
        {
            var score = value is BoundFunctionCall ? source : "s";
            return $"convert explicitly, e.g. log({score}) / tau (a real parameter tau says how strongly the score reshapes the target)";
        }

        return value.Type.Kind == TypeKind.Prob
            ? $"convert explicitly, e.g. log({source})"
            : $"convert explicitly, e.g. weight({source}) for a plain number, log(s) / tau for a Score s, log(p) for a Prob p";
    }
}
