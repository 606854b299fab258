using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Runtime.Populations;
using Tts.Runtime.Sampling;

namespace Tts.Training.Arithmetic;

/// <summary>Samples whole solutions from a policy through the runtime (batched populations, counter-based randomness).</summary>
public static class PolicySampler
{
    /// <summary>Rows per batch: bounds the KV cache.</summary>
    private const int RowsPerBatch = 1024;

    /// <summary><paramref name="samplesPerPrompt"/> continuations of each prompt, in prompt order.</summary>
    public static string[][] Sample(ILanguageModel model, IReadOnlyList<string> prompts, int samplesPerPrompt, double temperature, int maxTokens, ulong seed)
    {
        var results = new string[prompts.Count][];
        var promptsPerBatch = Math.Max(1, RowsPerBatch / samplesPerPrompt);
        for (var first = 0; first < prompts.Count; first += promptsPerBatch)
        {
            var batch = prompts.Skip(first).Take(promptsPerBatch).ToList();
            using var population = Population.Start(model, batch, samplesPerPrompt);
            var options = new DecodeOptions(new SamplingOptions(temperature), maxTokens, []);
            PopulationDecoder.Decode(population, options, seed, first, stream: 0, new long[batch.Count], new long[batch.Count]);
            for (var i = 0; i < batch.Count; i++)
            {
                results[first + i] = population.Texts.Skip(i * samplesPerPrompt).Take(samplesPerPrompt).ToArray();
            }
        }

        return results;
    }
}
