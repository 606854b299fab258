using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Semantics;

namespace Tts.Language.Binding.Guarantees;

/// <summary>Targets in words; the inference itself is GuaranteeAnalysis.cs.</summary>
public static class GuaranteeInference
{
    /// <summary>The law of one particle in words, e.g. "policy(question) at temperature 0.8, top-k 40, at most 64 tokens".</summary>
    public static string DescribeDecodingLaw(BoundSampleStatement sample, Func<BoundExpression, string> source)
    {
        var parts = new List<string> { $"temperature {Describe(sample.Options.Temperature)}" };
        if (!sample.Options.TopK.IsLiteral(0L))
        {
            parts.Add($"top-k {Describe(sample.Options.TopK)}");
        }

        if (!sample.Options.TopP.IsLiteral(1.0))
        {
            parts.Add($"top-p {Describe(sample.Options.TopP)}");
        }

        if (!sample.Options.MinP.IsLiteral(0.0))
        {
            parts.Add($"min-p {Describe(sample.Options.MinP)}");
        }

        parts.Add($"at most {Describe(sample.Options.MaxTokens)} tokens");
        if (sample.Options.Forbid is not BoundList { Elements.Length: 0 })
        {
            parts.Add($"never containing {Describe(sample.Options.Forbid)}");
        }

        if (sample.Options.Stop is not BoundList { Elements.Length: 0 })
        {
            parts.Add($"cut at stop {Describe(sample.Options.Stop)}");
        }

        return $"{sample.Model.Name}({Describe(sample.Prompt)}) with {string.Join(", ", parts)}";

        string Describe(BoundExpression expression) => expression switch
        {
            BoundLiteral literal => Constants.Format(literal.Value),
            BoundList list => "[" + string.Join(", ", list.Elements.Select(Describe)) + "]",
            _ => source(expression),
        };
    }
}
