using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;

namespace Tts.Runtime.Tests.Models.Corrupt;

/// <summary>
/// The corrupt-model suite for tabular model files, for what <see cref="TabularModelErrorTests"/> (wrong types and
/// values) does not reach: strings that are valid JSON but not text. An unpaired surrogate escape such as
/// <c>"\ud800"</c> parses, and System.Text.Json throws InvalidOperationException only when the string is read; each
/// must be one <see cref="ModelException"/> line naming the file and the JSON path.
/// </summary>
public sealed class CorruptTabularModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-corrupt-tabular-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> UnpairedSurrogates => new()
    {
        { Model(vocab: """["a", "\ud800", "<eos>"]"""), "$.vocab[1]" },
        { Model(vocab: """["a", "b\udc00", "<eos>"]"""), "$.vocab[1]" },
        { Model(eos: "\"\\ud800\""), "$.eos" },
        { Model(format: "\"tts-tabular-lm/1\\udbff\""), "$.format" },
        { Model(probs: """{ "": [0.5, 0.3, 0.2], "\ud800": [0.5, 0.3, 0.2] }"""), "$.probs" },
        { Model(extra: """, "\udfff": 1"""), "$: a key" },
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates))]
    public void An_unpaired_surrogate_is_one_line_naming_the_file_and_the_path(string json, string path)
    {
        var file = Path.Combine(_folder, "model.json");
        File.WriteAllText(file, json);

        var error = Assert.Throws<ModelException>(() => TabularModel.Load(file));

        Assert.StartsWith($"{file}: {path}", error.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>A surrogate pair written as two escapes is one character, and loads.</summary>
    [Fact]
    public void A_surrogate_pair_escape_loads()
    {
        using var model = TabularModel.Parse(Model(vocab: """["a", "\ud83d\ude00", "<eos>"]"""), "model.json");

        Assert.Equal("\U0001F600", model.Vocabulary.Tokens[1]);
    }

    private static string Model(
        string format = "\"tts-tabular-lm/1\"", string vocab = """["a", "b", "<eos>"]""", string eos = "\"<eos>\"",
        string probs = """{ "": [0.5, 0.3, 0.2] }""", string extra = "") =>
        $$"""{ "format": {{format}}, "vocab": {{vocab}}, "eos": {{eos}}, "order": 1, "max_tokens": 3, "probs": {{probs}}{{extra}} }""";
}
