namespace Tts.Runtime.Tests.Models;

/// <summary>Small tabular model files shared by the tests.</summary>
internal static class TabularModels
{
    /// <summary>The example of DESIGN §4.1, verbatim.</summary>
    public const string DesignExample = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["a", "b", "c", "<eos>"],
          "eos": "<eos>",
          "order": 1,
          "max_tokens": 4,
          "probs": {
            "":  [0.5, 0.3, 0.1, 0.1],
            "a": [0.2, 0.2, 0.2, 0.4],
            "b": [0.1, 0.6, 0.2, 0.1],
            "c": [0.3, 0.3, 0.3, 0.1]
          }
        }
        """;

    /// <summary>Order 2 with only some contexts present, so lookups fall back to shorter suffixes.</summary>
    public const string OrderTwo = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["a", "b", "<eos>"],
          "eos": "<eos>",
          "order": 2,
          "max_tokens": 3,
          "probs": {
            "":    [0.5, 0.25, 0.25],
            "a":   [0.1, 0.7, 0.2],
            "a b": [0.6, 0.0, 0.4]
          }
        }
        """;

    public const int A = 0;
    public const int B = 1;
    public const int C = 2;
    public const int DesignEos = 3;
    public const int OrderTwoEos = 2;

    public static Tts.Runtime.Models.Tabular.TabularModel Design() =>
        Tts.Runtime.Models.Tabular.TabularModel.Parse(DesignExample, "design.json");
}
