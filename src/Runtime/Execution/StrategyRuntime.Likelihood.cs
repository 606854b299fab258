using Tts.Runtime.Models;
using Tts.Runtime.Populations;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// <c>logp(M, x, after: p)</c>: the log-probability model <paramref name="model"/> gives each text after its prompt, one
    /// batched scoring for the whole batch (every particle of <paramref name="owner"/>, or in a block step only the
    /// particles of the step). With <paramref name="particles"/>, each particle's own generated tokens are scored (EOS
    /// included when it ended with it) when the scoring model shares the population model's vocabulary; otherwise the
    /// text is encoded by the scoring model. Each text scored counts as one reward call.
    /// </summary>
    public BatchValue LogProb(string model, BatchValue text, BatchValue after, Population? particles, Population? owner)
    {
        var scorer = Models.Resolve(model);
        var perParticle = text as ParticleValues ?? after as ParticleValues;
        var count = perParticle?.PerRow.Length ?? Runs;
        object? At(BatchValue value, int index) => value switch
        {
            ParticleValues p => p.PerRow[index],
            _ => PerRunOf(value)[perParticle is null ? index : index / (count / Runs)],
        };

        var rows = Enumerable.Range(0, count)
            .Where(r => owner is not null && perParticle is not null && _stepRows.TryGetValue(owner, out var step) ? step[r] : At(text, r) is not null && At(after, r) is not null)
            .ToArray();
        var sameVocabulary = particles is not null && SameVocabulary(particles.Model.Vocabulary, scorer.Vocabulary);
        var contexts = new List<int[]>(rows.Length);
        var continuations = new List<int[]>(rows.Length);
        foreach (var row in rows)
        {
            contexts.Add(Encode(scorer, model, (string)At(after, row)!));
            continuations.Add(sameVocabulary ? particles!.GeneratedTokens(row) : Encode(scorer, model, (string)At(text, row)!));
        }

        var scores = SequenceScorer.LogProbs(scorer, contexts, continuations);
        var result = new object?[count];
        if (perParticle is not null)
        {
            Array.Fill(result, 0.0);
        }

        for (var i = 0; i < rows.Length; i++)
        {
            result[rows[i]] = scores[i];
        }

        Meter.Rewards(CountPerRun(rows.Select(row => perParticle is null ? row : row / (count / Runs))));
        return perParticle is null ? new RunValues(result) : new ParticleValues(result!);
    }

    internal static bool SameVocabulary(Vocabulary a, Vocabulary b) =>
        ReferenceEquals(a, b) || (a.EosId == b.EosId && a.Tokens.SequenceEqual(b.Tokens, StringComparer.Ordinal));

    private static int[] Encode(ILanguageModel scorer, string model, string text)
    {
        try
        {
            return scorer.Encode(text);
        }
        catch (ModelException e)
        {
            // Still a model error (as a prompt the model cannot tokenize is), now naming the logp that asked.
            throw new ModelException($"logp: model '{model}' cannot encode {Tts.Semantics.Constants.Format(text)}: {e.Message}", e);
        }
    }
}
