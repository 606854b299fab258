using TorchSharp;
using static TorchSharp.torch;

namespace Tts.Runtime.Models;

/// <summary>
/// Text scoring by an in-process model: the log-probability of a token sequence after a context, from the model's own
/// next-token law (no temperature, no truncation). The one place the runtime asks a model to score text, so that a
/// backend without that capability can be refused here.
/// </summary>
public static class SequenceScorer
{
    /// <summary>
    /// Row i: log p(continuations[i] | contexts[i]) = Σ_j log p(c_j | context, c_&lt;j), all rows as one batch: each
    /// distinct context is prefilled once, then one model step per position of the longest continuation. An empty
    /// continuation scores 0; an impossible token gives −∞.
    /// </summary>
    public static double[] LogProbs(ILanguageModel model, IReadOnlyList<int[]> contexts, IReadOnlyList<int[]> continuations)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(continuations);
        if (contexts.Count != continuations.Count)
        {
            throw new ArgumentException($"{contexts.Count} contexts for {continuations.Count} continuations", nameof(continuations));
        }

        var rows = contexts.Count;
        var scores = new double[rows];
        var longest = continuations.Count == 0 ? 0 : continuations.Max(c => c.Length);
        if (longest == 0)
        {
            return scores;
        }

        // Rows sharing a context share its prefill, as a population's particles share their prompt's.
        var distinct = new List<int[]>();
        var promptOfRow = new int[rows];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < rows; row++)
        {
            var key = string.Join(',', contexts[row]);
            if (!index.TryGetValue(key, out var prompt))
            {
                prompt = distinct.Count;
                index[key] = prompt;
                distinct.Add(contexts[row]);
            }

            promptOfRow[row] = prompt;
        }

        using var state = model.Start(distinct, promptOfRow);
        for (var position = 0; position < longest; position++)
        {
            using var scope = torch.NewDisposeScope();
            var logProbs = state.NextLogProbs().cpu();
            var vocabulary = (int)logProbs.shape[1];
            var flat = logProbs.data<double>().ToArray();
            var tokens = new long[rows];
            var held = new bool[rows];
            for (var row = 0; row < rows; row++)
            {
                var continuation = continuations[row];
                if (position >= continuation.Length)
                {
                    held[row] = true;
                    continue;
                }

                tokens[row] = continuation[position];
                scores[row] += flat[row * vocabulary + continuation[position]];
            }

            if (position + 1 < longest)
            {
                state.Append(torch.tensor(tokens, ScalarType.Int64), held);
            }
        }

        return scores;
    }
}
