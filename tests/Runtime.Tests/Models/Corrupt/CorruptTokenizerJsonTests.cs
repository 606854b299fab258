using System.Text.Json.Nodes;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;

namespace Tts.Runtime.Tests.Models.Corrupt;

/// <summary>
/// The corrupt-model suite for tokenizer.json: a valid character-level file with one field of the wrong type or
/// shape. Each must be one <see cref="ModelException"/> line naming the file and the field, never a cast, JSON or
/// key exception escaping the loader.
/// </summary>
public sealed class CorruptTokenizerJsonTests : IDisposable
{
    private const string Source = "corrupt/tokenizer.json";

    private readonly string _folder = Directory.CreateTempSubdirectory("tts-corrupt-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The field to set (a dotted path; the last part is set, the rest must exist), its JSON value (null: removed), and what the message must name.</summary>
    public static TheoryData<string, string?, string> Corruptions => new()
    {
        { "model", null, "model" },
        { "model", "\"BPE\"", "model" },
        { "model.type", "5", "model.type" },
        { "model.type", "\"WordPiece\"", "model.type" },
        { "model.vocab", "[\"a\", \"b\"]", "model.vocab" },
        { "model.vocab", "\"abc\"", "model.vocab" },
        { "model.vocab", "null", "model.vocab" },
        { "model.vocab", "{\"a\": \"1\"}", "model.vocab[\"a\"]" },
        { "model.vocab", "{\"a\": 1.5}", "model.vocab[\"a\"]" },
        { "model.vocab", "{\"\\ud800\": 1}", "model.vocab" },
        { "model.vocab", "{\"a\": 2147483647}", "model.vocab[\"a\"]" },
        { "model.merges", "\"a b\"", "model.merges" },
        { "model.merges", "[1, 2]", "model.merges[0]" },
        { "model.merges", "[[\"a\", 1]]", "model.merges[0]" },
        { "model.merges", "[null]", "model.merges[0]" },
        { "model.merges", "[\"a b\"]", "model.merges[0]" },
        { "model.byte_fallback", "\"false\"", "model.byte_fallback" },
        { "model.unk_token", "0", "model.unk_token" },
        { "model.unk_token", "\"zz\"", "model.unk_token" },
        { "model.continuing_subword_prefix", "1", "model.continuing_subword_prefix" },
        { "model.end_of_word_suffix", "[]", "model.end_of_word_suffix" },
        { "added_tokens", "{}", "added_tokens" },
        { "added_tokens", "\"<eos>\"", "added_tokens" },
        { "added_tokens", "[5]", "added_tokens[0]" },
        { "added_tokens", "[{\"id\": \"0\", \"content\": \"<eos>\"}]", "added_tokens[0].id" },
        { "added_tokens", "[{\"id\": 0, \"content\": 7}]", "added_tokens[0].content" },
        { "added_tokens", "[{\"id\": 0}]", "added_tokens[0].content" },
        { "added_tokens", "[{\"id\": 0, \"content\": \"\\udfff\"}]", "added_tokens[0].content" },
        { "normalizer", "\"NFC\"", "normalizer" },
        { "pre_tokenizer", "\"ByteLevel\"", "pre_tokenizer" },
        { "pre_tokenizer", "{\"type\": 3}", "pre_tokenizer.type" },
        { "pre_tokenizer", "{}", "pre_tokenizer.type" },
        { "pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": {}}", "pre_tokenizer.pretokenizers" },
        { "pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": [\"ByteLevel\"]}", "pre_tokenizer.pretokenizers[0]" },
        { "pre_tokenizer", "{\"type\": \"Sequence\"}", "pre_tokenizer.pretokenizers" },
        { "pre_tokenizer", "{\"type\": \"ByteLevel\", \"add_prefix_space\": \"yes\"}", "pre_tokenizer.add_prefix_space" },
        { "pre_tokenizer", "{\"type\": \"ByteLevel\", \"use_regex\": 1}", "pre_tokenizer.use_regex" },
        { "pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": \"x\"}, {\"type\": \"ByteLevel\"}]}", "pre_tokenizer.pretokenizers[0].pattern" },
        { "pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}}, {\"type\": \"ByteLevel\"}]}", "pre_tokenizer.pretokenizers[0].pattern.Regex" },
        { "decoder", "\"Fuse\"", "decoder" },
        { "decoder", "{\"type\": 1}", "decoder.type" },
        { "decoder", "{\"type\": \"Metaspace\"}", "decoder.type" },
        { "decoder", "{\"type\": \"Sequence\", \"decoders\": 3}", "decoder.decoders" },
        { "decoder", "{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"WordPiece\"}]}", "decoder.decoders[0].type" },
        { "post_processor", "\"TemplateProcessing\"", "post_processor" },
        { "post_processor", "{\"type\": 2}", "post_processor.type" },
        { "post_processor", "{\"type\": \"TemplateProcessing\", \"single\": {}}", "post_processor.single" },
        { "post_processor", "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": 0}}]}", "post_processor.single[0].SpecialToken.id" },
        { "post_processor", "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<bos>\"}}]}", "post_processor.single[0].SpecialToken.id" },
        { "post_processor", "{\"type\": \"Sequence\", \"processors\": \"x\"}", "post_processor.processors" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_field_of_the_wrong_type_is_one_line_naming_the_file_and_the_field(string field, string? value, string named)
    {
        var json = Corrupt(field, value);

        var error = Assert.Throws<ModelException>(() => HuggingFaceTokenizer.Parse(json, Source));

        AssertOneLine(error, Source, named);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"tokenizer\"")]
    [InlineData("null")]
    public void A_file_that_is_not_an_object_is_one_line(string json)
    {
        var error = Assert.Throws<ModelException>(() => HuggingFaceTokenizer.Parse(json, Source));

        AssertOneLine(error, Source, "expected a JSON object");
    }

    /// <summary>System.Text.Json counts lines and bytes from zero; the message counts from one, as editors do.</summary>
    [Fact]
    public void A_syntax_error_is_located_by_one_based_line_and_position_in_the_file()
    {
        var path = Path.Combine(_folder, "tokenizer.json");
        File.WriteAllText(path, "{\n  \"model\": {\"type\": \"BPE\",}\n}");

        var error = Assert.Throws<ModelException>(() => HuggingFaceTokenizer.Load(path));

        // The stray '}' after the trailing comma is the 27th character of line 2.
        AssertOneLine(error, path, "not valid JSON at line 2, position 27: ");
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The valid file the corruptions start from loads (so each failure above is the corruption's).</summary>
    [Fact]
    public void The_uncorrupted_file_loads()
    {
        var tokenizer = HuggingFaceTokenizer.Parse(Corrupt("version", "\"1.0\""), Source);

        Assert.Equal([2, 1], tokenizer.Encode("ba"));
    }

    private static string Corrupt(string field, string? value)
    {
        var root = JsonNode.Parse(HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], "ab"))!.AsObject();
        var parts = field.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, part) => node[part]!.AsObject());
        if (value is null)
        {
            parent.Remove(parts[^1]);
            return root.ToJsonString();
        }

        // Set the raw text, so that values JsonNode would not build (an unpaired surrogate escape) reach the loader.
        parent[parts[^1]] = "\u0001PLACEHOLDER\u0001";
        return root.ToJsonString().Replace("\"\\u0001PLACEHOLDER\\u0001\"", value, StringComparison.Ordinal);
    }

    private static void AssertOneLine(ModelException error, string file, string named)
    {
        Assert.StartsWith(file + ": ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
