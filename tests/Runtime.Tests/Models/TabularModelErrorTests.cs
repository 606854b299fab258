using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;

namespace Tts.Runtime.Tests.Models;

public sealed class TabularModelErrorTests
{
    private const string Source = "bad.json";

    public static TheoryData<string, string[]> MalformedFiles => new()
    {
        { Model(format: "\"tts-tabular-lm/2\""), ["$.format", "expected \"tts-tabular-lm/1\"", "got \"tts-tabular-lm/2\""] },
        { Model(format: null), ["$:", "missing property \"format\""] },
        { Model(vocab: "[]"), ["$.vocab", "the vocabulary is empty"] },
        { Model(vocab: "\"abc\""), ["$.vocab", "expected an array of token strings"] },
        { Model(vocab: "[\"a\", \"b\", \"a\", \"<eos>\"]"), ["$.vocab[2]", "duplicate token \"a\"", "$.vocab[0]"] },
        { Model(vocab: "[\"a\", \"\", \"c\", \"<eos>\"]"), ["$.vocab[1]", "empty string"] },
        { Model(vocab: "[\"a\", 7, \"c\", \"<eos>\"]"), ["$.vocab[1]", "expected a token string, got 7"] },
        { Model(eos: null), ["missing property \"eos\""] },
        { Model(eos: "\"</s>\""), ["$.eos", "token \"</s>\" is not in the vocabulary"] },
        { Model(order: "0"), ["$.order", "expected an integer ≥ 1, got 0"] },
        { Model(order: "1.5"), ["$.order", "got 1.5"] },
        { Model(order: "\"1\""), ["$.order", "got \"1\""] },
        { Model(order: null), ["missing property \"order\""] },
        { Model(maxTokens: "-1"), ["$.max_tokens", "expected an integer ≥ 1, got -1"] },
        { Model(probs: Rows(("a", "[0.25, 0.25, 0.25, 0.25]"))), ["$.probs", "missing the row \"\""] },
        { Model(probs: Rows(("", Uniform), ("x", Uniform))), ["$.probs[\"x\"]", "key is not at most 1 vocabulary tokens"] },
        { Model(probs: Rows(("", Uniform), ("a b", Uniform))), ["$.probs[\"a b\"]", "key is not at most 1"] },
        { Model(probs: Rows(("", Uniform), ("<eos>", Uniform))), ["$.probs[\"<eos>\"]", "EOS excluded"] },
        { Model(probs: Rows(("", Uniform), ("a", Uniform), ("a", Uniform))), ["$.probs[\"a\"]", "key appears twice"] },
        { Model(probs: Rows(("", "[0.5, 0.5, 0.0]"))), ["$.probs[\"\"]", "expected 4 probabilities", "got 3"] },
        { Model(probs: Rows(("", "[0.5, 0.7, -0.2, 0.0]"))), ["$.probs[\"\"][2]", "expected a probability in [0, 1], got -0.2"] },
        { Model(probs: Rows(("", "[1.5, 0.0, 0.0, -0.5]"))), ["$.probs[\"\"][0]", "got 1.5"] },
        { Model(probs: Rows(("", "[\"NaN\", 0.0, 0.0, 1.0]"))), ["$.probs[\"\"][0]", "got \"NaN\""] },
        { Model(probs: Rows(("", "[1e999, 0.0, 0.0, 0.0]"))), ["$.probs[\"\"][0]", "got 1e999"] },
        { Model(probs: Rows(("", "[0.5, 0.3, 0.1, 0.0]"))), ["$.probs[\"\"]", "sum to 0.9", "tolerance 1E-09"] },
        { Model(probs: Rows(("", "[0.5, 0.3, 0.1, 0.1000001]"))), ["$.probs[\"\"]", "not 1"] },
        { Model(probs: "[]"), ["$.probs", "expected an object"] },
        { Model(extra: "\"max_token\": 3"), ["unknown property \"max_token\""] },
        { Model(extra: "\"order\": 2"), ["$.order", "property appears twice"] },
        { "[1, 2]", ["$:", "expected a JSON object, got an array"] },
    };

    private const string Uniform = "[0.25, 0.25, 0.25, 0.25]";

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_RejectsMalformedFilesWithAClearMessage(string json, string[] expectedFragments)
    {
        var exception = Assert.Throws<ModelException>(() => TabularModel.Parse(json, Source));

        Assert.StartsWith(Source + ": ", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
        foreach (var fragment in expectedFragments)
        {
            Assert.Contains(fragment, exception.Message);
        }
    }

    [Fact]
    public void Parse_ReportsJsonSyntaxErrorsWithLineAndPosition()
    {
        const string json = "{\n  \"format\": \"tts-tabular-lm/1\",\n  \"vocab\": [\"a\" \"b\"]\n}";

        var exception = Assert.Throws<ModelException>(() => TabularModel.Parse(json, Source));

        Assert.StartsWith(Source + ": invalid JSON at line 3, position 17:", exception.Message);
        Assert.DoesNotContain("LineNumber", exception.Message);
    }

    [Fact]
    public void Parse_AcceptsARowSumWithinTheTolerance()
    {
        using var model = TabularModel.Parse(Model(probs: Rows(("", "[0.5, 0.3, 0.1, 0.1000000005]"))), Source);

        Assert.Equal(0.1000000005, model.NextTokenProbabilities([], 0)[3]);
    }

    [Fact]
    public void Parse_AcceptsKeysOfTokensThatContainSpaces()
    {
        // "a b" is one token here, so with order 2 the key "a b b" is two tokens ("a b", "b"),
        // while "a a b b" needs three at the least and is rejected.
        const string header = """
            "format": "tts-tabular-lm/1", "vocab": ["a", "a b", "b", "<eos>"], "eos": "<eos>", "order": 2, "max_tokens": 3,
            """;
        using var model = TabularModel.Parse($$"""{ {{header}} "probs": { "": {{Uniform}}, "a b b": [0, 0, 0, 1], "a b": [0, 0, 1, 0] } }""", Source);
        const int a = 0, ab = 1, b = 2;
        Assert.Equal([0.0, 0.0, 0.0, 1.0], model.NextTokenProbabilities([ab, b], 2));
        Assert.Equal([0.0, 0.0, 1.0, 0.0], model.NextTokenProbabilities([a, b], 2)); // tokens "a", "b" → key "a b"
        Assert.Equal([0.0, 0.0, 1.0, 0.0], model.NextTokenProbabilities([b, ab], 2)); // "b a b" missing → suffix "a b"

        var exception = Assert.Throws<ModelException>(() =>
            TabularModel.Parse($$"""{ {{header}} "probs": { "": {{Uniform}}, "a a b b": {{Uniform}} } }""", Source));
        Assert.Contains("$.probs[\"a a b b\"]: key is not at most 2 vocabulary tokens", exception.Message);

        foreach (var badKey in new[] { "a  b", "a ", " a", "ab" })
        {
            var spacing = Assert.Throws<ModelException>(() =>
                TabularModel.Parse($$"""{ {{header}} "probs": { "": {{Uniform}}, "{{badKey}}": {{Uniform}} } }""", Source));
            Assert.Contains("key is not", spacing.Message);
        }
    }

    [Fact]
    public void Load_ReportsAMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        var exception = Assert.Throws<ModelException>(() => TabularModel.Load(path));

        Assert.StartsWith(path + ": cannot read the tabular model file", exception.Message);
    }

    private static string Rows(params (string Key, string Row)[] rows) =>
        "{ " + string.Join(", ", rows.Select(row => $"\"{row.Key}\": {row.Row}")) + " }";

    /// <summary>The design example with one part replaced (or removed, when null).</summary>
    private static string Model(
        string? format = "\"tts-tabular-lm/1\"",
        string? vocab = "[\"a\", \"b\", \"c\", \"<eos>\"]",
        string? eos = "\"<eos>\"",
        string? order = "1",
        string? maxTokens = "4",
        string? probs = "{ \"\": [0.5, 0.3, 0.1, 0.1], \"a\": [0.2, 0.2, 0.2, 0.4] }",
        string? extra = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"\"{name}\": {value}");
            }
        }

        Add("format", format);
        Add("vocab", vocab);
        Add("eos", eos);
        Add("order", order);
        Add("max_tokens", maxTokens);
        Add("probs", probs);
        if (extra is not null)
        {
            parts.Add(extra);
        }

        return "{ " + string.Join(", ", parts) + " }";
    }
}
