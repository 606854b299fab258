using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Semantics;

namespace Tts.Language.Binding.Guarantees;

/// <summary>Targets in words; the inference itself is GuaranteeAnalysis.cs.</summary>
public static class GuaranteeInference
{
    /// <summary>The law of one particle in words, e.g. "policy(question) at temperature 0.8, top-k 40, at most 64 tokens".</summary>
    public static string DescribeDecodingLaw(BoundSampleStatement sample, Func<BoundExpression, string> source) =>
        DescribeDecodingLaw(sample.Model.Name, sample.Prompt, sample.Options, source);

    /// <summary>The decoding law of <paramref name="model"/> on <paramref name="prompt"/> under every option the runtime applies.</summary>
    public static string DescribeDecodingLaw(string model, BoundExpression prompt, BoundDecodeOptions options, Func<BoundExpression, string> source)
    {
        var parts = new List<string> { $"temperature {Describe(options.Temperature)}" };
        if (!options.TopK.IsLiteral(0L))
        {
            parts.Add($"top-k {Describe(options.TopK)}");
        }

        if (!options.TopP.IsLiteral(1.0))
        {
            parts.Add($"top-p {Describe(options.TopP)}");
        }

        if (!options.MinP.IsLiteral(0.0))
        {
            parts.Add($"min-p {Describe(options.MinP)}");
        }

        parts.Add($"at most {Describe(options.MaxTokens)} tokens");
        if (options.Forbid is not BoundList { Elements.Length: 0 })
        {
            // The mask works per token: a forbidden string can still appear spelled across several tokens.
            parts.Add($"no token containing {Describe(options.Forbid)} (masked per token)");
        }

        if (options.Stop is not BoundList { Elements.Length: 0 })
        {
            parts.Add($"cut at stop {Describe(options.Stop)}");
        }

        return $"{model}({Describe(prompt)}) with {string.Join(", ", parts)}";

        string Describe(BoundExpression expression) => expression switch
        {
            BoundLiteral literal => Constants.Format(literal.Value),
            BoundList list => "[" + string.Join(", ", list.Elements.Select(Describe)) + "]",
            _ => source(expression),
        };
    }
}
