using System.Text.Json.Nodes;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Tests.Models.Transformer;

namespace Tts.Runtime.Tests.Models.Corrupt;

/// <summary>The corrupt-model suite for config.json: each bad field is one <see cref="ModelException"/> line naming the file and the key.</summary>
public sealed class CorruptConfigJsonTests
{
    private const string Source = "corrupt/config.json";

    public static TheoryData<string, string, string> Corruptions => new()
    {
        { "hidden_size", "1e999", "hidden_size" },
        { "hidden_size", "\"64\"", "hidden_size" },
        { "hidden_size", "-64", "hidden_size" },
        { "rms_norm_eps", "1e999", "rms_norm_eps" },
        { "model_type", "5", "model_type" },
        { "tie_word_embeddings", "\"true\"", "tie_word_embeddings" },
        { "eos_token_id", "[\"a\"]", "eos_token_id" },
        { "eos_token_id", "1e999", "eos_token_id" },
        { "rope_scaling", "[]", "rope_scaling" },
        { "rope_scaling", "{\"rope_type\": \"linear\", \"factor\": \"2\"}", "rope_scaling.factor" },
        { "rope_scaling", "{\"rope_type\": 3, \"factor\": 2}", "rope_scaling.rope_type" },
        { "model_type", "\"\\ud800\"", "model_type" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_bad_field_is_one_line_naming_the_file_and_the_key(string key, string value, string named)
    {
        var root = JsonNode.Parse(TinyTransformers.Config().ToJson())!.AsObject();
        root[key] = "\u0001PLACEHOLDER\u0001";
        var json = root.ToJsonString().Replace("\"\\u0001PLACEHOLDER\\u0001\"", value, StringComparison.Ordinal);

        var error = Assert.Throws<ModelException>(() => TransformerConfig.Parse(json, Source));

        Assert.StartsWith(Source + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
