using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;

namespace Tts.Runtime.Tests.Models;

public sealed class TabularTokenizationTests
{
    private const string Json = """
        {
          "format": "tts-tabular-lm/1",
          "vocab": ["a", "ab", "abc", "b", "c", " ", "<eos>"],
          "eos": "<eos>",
          "order": 1,
          "max_tokens": 2,
          "probs": { "": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4] }
        }
        """;

    [Fact]
    public void Encode_TakesTheLongestMatchGreedily()
    {
        using var model = TabularModel.Parse(Json, "tok.json");

        Assert.Equal([2, 1, 5, 4], model.Encode("abcab c")); // "abc", "ab", " ", "c"
        Assert.Equal([1, 3], model.Encode("abb"));
        Assert.Empty(model.Encode(""));
        Assert.Equal("abcab c", model.Vocabulary.Decode(model.Encode("abcab c")));
    }

    [Fact]
    public void Encode_NamesThePositionOfAnUnknownCharacter()
    {
        using var model = TabularModel.Parse(Json, "tok.json");

        var exception = Assert.Throws<ModelException>(() => model.Encode("ab x"));

        Assert.Equal("tok.json: cannot tokenize the prompt: no vocabulary token matches at position 3 (character \"x\").", exception.Message);
    }

    [Fact]
    public void Encode_NeverProducesTheEosToken()
    {
        using var model = TabularModel.Parse(Json, "tok.json");

        var exception = Assert.Throws<ModelException>(() => model.Encode("a<eos>"));

        Assert.Contains("position 1 (character \"<\")", exception.Message);
    }
}
