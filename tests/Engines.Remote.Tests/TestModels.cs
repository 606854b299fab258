using Tts.Runtime.Models.Tabular;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// A small tabular model whose law depends only on the last token (order 1) and whose forced EOS lies beyond every
/// test's token limit: a server sees prompt and generated tokens as one prompt, so a law that depends on where the
/// prompt ends (the tabular max_tokens) would differ remotely by design.
/// </summary>
internal static class TestModels
{
    public const string Json = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["a", "b", "c", "\n", "<eos>"],
          "eos": "<eos>",
          "order": 1,
          "max_tokens": 64,
          "probs": {
            "":   [0.4, 0.3, 0.1, 0.1, 0.1],
            "a":  [0.2, 0.2, 0.2, 0.2, 0.2],
            "b":  [0.1, 0.5, 0.1, 0.2, 0.1],
            "c":  [0.3, 0.2, 0.2, 0.2, 0.1],
            "\n": [0.3, 0.3, 0.3, 0.0, 0.1]
          }
        }
        """;

    public static TabularModel Tabular() => TabularModel.Parse(Json, "remote-test.json");

    /// <summary>The model's JSON written to a temporary file (the client's ?tokenizer=), deleted by the caller.</summary>
    public static string WriteFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tts-remote-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Json);
        return path;
    }
}
