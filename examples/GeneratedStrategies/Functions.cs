using Tts.Runtime.Rewards.Attributes;

namespace GeneratedStrategies;

/// <summary>The reward and the extractor that answers.tts declares, bound by attribute.</summary>
public static class Functions
{
    /// <summary><c>reward b_count: Score</c>: how many b's a text has (per text).</summary>
    [Reward("b_count")]
    public static double BCount(string text) => text.Count(c => c == 'b');

    /// <summary><c>extractor last_letter</c>: the final letter of each text, "" for the empty text (batched).</summary>
    [AnswerExtractor("last_letter")]
    public static IReadOnlyList<string> LastLetters(IReadOnlyList<string> texts) =>
        texts.Select(text => text.Length == 0 ? "" : text[^1..]).ToArray();
}
