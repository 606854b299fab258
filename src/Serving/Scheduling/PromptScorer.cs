using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Serving.Scheduling;

/// <summary>
/// Log-probabilities of a prompt's own tokens under the model (scoring given text), by feeding the prompt one token
/// at a time: position t gets log p(prompt[t] | prompt[..t]) with its rank and top alternatives; position 0 has none
/// (null), as in vLLM. Always the model's own law: sampling options do not apply to given text.
/// </summary>
internal static class PromptScorer
{
    public static IReadOnlyList<PositionLogprobs?> Score(ILanguageModel model, int[] prompt, int top)
    {
        var positions = new PositionLogprobs?[prompt.Length];
        if (prompt.Length < 2)
        {
            return positions;
        }

        using var state = model.Start([prompt[..1]], [0]);
        for (var t = 1; t < prompt.Length; t++)
        {
            using (var scope = NewDisposeScope())
            {
                var row = state.NextLogProbs().cpu().data<double>().ToArray();
                positions[t] = Position(row, prompt[t], top);
            }

            if (t < prompt.Length - 1)
            {
                using var token = tensor(new long[] { prompt[t] });
                state.Append(token);
            }
        }

        return positions;
    }

    /// <summary>One position from a full row of log-probabilities: the token's value, rank and the top alternatives.</summary>
    public static PositionLogprobs Position(double[] row, int token, int top)
    {
        var value = row[token];
        var rank = 1 + row.Count(x => x > value);
        var best = Enumerable.Range(0, row.Length)
            .OrderByDescending(i => row[i])
            .ThenBy(i => i)
            .Take(top)
            .Select(i => (i, row[i]))
            .ToList();
        return new PositionLogprobs(token, value, best, rank);
    }
}
