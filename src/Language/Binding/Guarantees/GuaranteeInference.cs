using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;

namespace Tts.Language.Binding.Guarantees;

/// <summary>
/// Infers a strategy's guarantee from what its return value is built from (language v0 rules; see
/// docs/guarantees.md). sample(xs) of a freshly sampled population is exact for the decoding law;
/// best and vote are argmax/mode reductions and carry no distributional claim.
/// </summary>
public static class GuaranteeInference
{
    public static GuaranteeInfo Infer(ImmutableArray<BoundStatement> body)
    {
        var samples = body.OfType<BoundSampleStatement>().ToDictionary(s => s.Population);
        var returned = body.OfType<BoundReturnStatement>().FirstOrDefault();
        if (returned is null)
        {
            return new GuaranteeInfo(Guarantee.Heuristic, "none", "the strategy does not return", default);
        }

        return Infer(returned.Value, samples, returned);
    }

    private static GuaranteeInfo Infer(BoundExpression value, IReadOnlyDictionary<LocalSymbol, BoundSampleStatement> samples, BoundReturnStatement returned)
    {
        switch (value)
        {
            case BoundSelection { Kind: SelectionKind.Sample } selection when samples.TryGetValue(selection.PopulationSymbol, out var sample):
                return new GuaranteeInfo(
                    Guarantee.Exact,
                    DescribeDecodingLaw(sample),
                    $"sample({selection.PopulationSymbol.Name}) draws one particle uniformly from i.i.d. draws of the decoding law",
                    selection.Span);
            case BoundSelection { Kind: SelectionKind.Best } selection:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"best({selection.PopulationSymbol.Name}, by: ...) returns an argmax, which follows no stated law", selection.Span);
            case BoundSelection { Kind: SelectionKind.Vote } selection:
                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    $"vote({selection.PopulationSymbol.Name}, ...) returns a mode, which follows no stated law", selection.Span);
            default:
                if (!ReadsRandomness(value))
                {
                    return new GuaranteeInfo(Guarantee.Exact, "a point mass on the returned value",
                        "the returned value does not depend on any sampling", returned.Span);
                }

                return new GuaranteeInfo(Guarantee.Heuristic, "none",
                    "the returned value is a transformation of sampled values, whose law v0 does not track", returned.Span);
        }
    }

    private static bool ReadsRandomness(BoundExpression value) => value switch
    {
        BoundSelection => true,
        BoundLocalReference local => local.Local.Population is not null || local.Local.IsPopulation,
        BoundBuiltinCall call => call.Arguments.Any(ReadsRandomness),
        BoundUnary unary => ReadsRandomness(unary.Operand),
        BoundBinary binary => ReadsRandomness(binary.Left) || ReadsRandomness(binary.Right),
        BoundList list => list.Elements.Any(ReadsRandomness),
        BoundParticleText => true,
        _ => false,
    };

    /// <summary>The law of one particle in words, e.g. "policy(question) at temperature 0.8, top-k 40, at most 64 tokens".</summary>
    public static string DescribeDecodingLaw(BoundSampleStatement sample)
    {
        var parts = new List<string> { $"temperature {Describe(sample.Options.Temperature)}" };
        if (!IsLiteral(sample.Options.TopK, 0L))
        {
            parts.Add($"top-k {Describe(sample.Options.TopK)}");
        }

        if (!IsLiteral(sample.Options.TopP, 1.0))
        {
            parts.Add($"top-p {Describe(sample.Options.TopP)}");
        }

        parts.Add($"at most {Describe(sample.Options.MaxTokens)} tokens");
        if (sample.Options.Stop is not BoundList { Elements.Length: 0 })
        {
            parts.Add($"cut at stop {Describe(sample.Options.Stop)}");
        }

        return $"{sample.Model.Name}({Describe(sample.Prompt)}) with {string.Join(", ", parts)}";
    }

    private static bool IsLiteral(BoundExpression expression, object value) =>
        expression is BoundLiteral literal && literal.Value.Equals(value);

    private static string Describe(BoundExpression expression) => expression switch
    {
        BoundLiteral literal => Constants.Format(literal.Value),
        BoundParameterReference parameter => parameter.Parameter.Name,
        BoundLocalReference local => local.Local.Name,
        BoundList list => "[" + string.Join(", ", list.Elements.Select(Describe)) + "]",
        _ => "an expression",
    };
}
