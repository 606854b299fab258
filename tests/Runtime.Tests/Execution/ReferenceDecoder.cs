using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// A one-particle-at-a-time reference for decoding on a tabular model, in plain C#: the model's exact next-token
/// probabilities, the sampler's C# reference, the same counter-based keys, stop strings and token limit. The
/// batched runtime must reproduce it bit for bit.
/// </summary>
internal static class ReferenceDecoder
{
    public static string Decode(TabularModel model, string prompt, SamplingOptions options, int maxTokens, IReadOnlyList<string> stop, uint rowKey)
    {
        var context = model.Encode(prompt).ToList();
        var text = "";
        for (var generated = 0; generated < maxTokens; generated++)
        {
            var probabilities = model.NextTokenProbabilities(context, generated);
            var logProbs = probabilities.Select(p => Math.Log(p)).ToArray();
            var token = TokenSampler.SampleReference(logProbs, options, rowKey, generated);
            if (token == model.Vocabulary.EosId)
            {
                break;
            }

            context.Add(token);
            text += model.Vocabulary.Tokens[token];
            var cut = stop.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            if (cut >= 0)
            {
                return text.Substring(0, cut);
            }
        }

        return text;
    }

    /// <summary>The texts of the n particles of run <paramref name="run"/> for the decode with stream 0.</summary>
    public static string[] Population(TabularModel model, string prompt, int n, SamplingOptions options, int maxTokens, IReadOnlyList<string> stop, ulong seed, int run) =>
        Enumerable.Range(0, n)
            .Select(particle => Decode(model, prompt, options, maxTokens, stop, CounterRandom.RowKey(seed, run, 0, particle)))
            .ToArray();
}
