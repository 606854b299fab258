using System.Text;
using System.Text.Json.Nodes;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;

namespace Tts.Runtime.Tests.Models.Transformer;

public sealed class HuggingFaceTokenizerTests
{
    /// <summary>The texts as a vocabulary, EOS being the first special token (id 0 character-level, 300 byte-level).</summary>
    private static Vocabulary VocabularyOf(HuggingFaceTokenizer tokenizer) =>
        new(tokenizer.TokenTexts.Select(t => t ?? "").ToList(), eosId: tokenizer.SpecialTokens.Values.Min());

    /// <summary>
    /// A byte-level BPE tokenizer.json as GPT-2 / Qwen2 write it: the 256 byte symbols, a few merges building
    /// "hello" and " w", and an added special token. <paramref name="llama3Style"/> uses a regex Split before
    /// ByteLevel and a template post-processor that puts BOS first, as Llama 3 does.
    /// </summary>
    private static string ByteLevelJson(bool llama3Style)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.Spell([(byte)b])] = b;
        }

        string[] merges = ["h e", "l l", "he ll", "hell o", "Ġ w"];
        foreach (var merge in merges)
        {
            vocab[merge.Replace(" ", "", StringComparison.Ordinal)] = vocab.Count;
        }

        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = !llama3Style };
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                new JsonObject { ["id"] = 300, ["content"] = "<|endoftext|>", ["special"] = true },
                new JsonObject { ["id"] = 301, ["content"] = "<|begin_of_text|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = llama3Style
                ? new JsonObject
                {
                    ["type"] = "Sequence",
                    ["pretokenizers"] = new JsonArray(
                        new JsonObject
                        {
                            ["type"] = "Split",
                            ["pattern"] = new JsonObject { ["Regex"] = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+" },
                            ["behavior"] = "Isolated",
                            ["invert"] = false,
                        },
                        byteLevel),
                }
                : byteLevel,
            ["post_processor"] = llama3Style
                ? new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(
                        new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                }
                : new JsonObject { ["type"] = "ByteLevel" },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["vocab"] = vocab,
                ["merges"] = llama3Style
                    ? new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Split(' ')[0], m.Split(' ')[1])).ToArray())
                    : new JsonArray(merges.Select(m => (JsonNode)m).ToArray()),
            },
        };
        return root.ToJsonString();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a bad egg\nhex")]
    [InlineData("é€ü éé")]
    [InlineData("")]
    public void Character_level_text_round_trips(string text)
    {
        var tokenizer = HuggingFaceTokenizer.Parse(TinyTransformers.TokenizerJson, "tokenizer.json");
        var ids = tokenizer.Encode(text);
        Assert.Equal(text.Length, ids.Length);
        Assert.Equal(text, VocabularyOf(tokenizer).Decode(ids));
        Assert.False(tokenizer.IsByteLevel);
    }

    [Fact]
    public void A_character_outside_a_character_level_vocabulary_is_a_clear_error()
    {
        var tokenizer = HuggingFaceTokenizer.Parse(TinyTransformers.TokenizerJson, "tokenizer.json");
        var error = Assert.Throws<ModelException>(() => tokenizer.Encode("abq"));
        Assert.StartsWith("tokenizer.json: cannot tokenize \"abq\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"q\" is not in the vocabulary; the model reads only ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" \"\\n\" \"x\" \"y\" \"z\" \"é\" \"€\" \"ü\"", error.Message, StringComparison.Ordinal); // as typed: \n, é kept
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Byte_level_text_round_trips_with_merges_and_multibyte_characters(bool llama3Style)
    {
        var tokenizer = HuggingFaceTokenizer.Parse(ByteLevelJson(llama3Style), "tokenizer.json");
        Assert.True(tokenizer.IsByteLevel);
        var vocabulary = VocabularyOf(tokenizer);
        const string text = "hello wörld €5 hello\n";
        var ids = tokenizer.Encode(text);
        var body = llama3Style ? ids[1..] : ids;
        Assert.Equal(llama3Style ? 301 : (int?)null, llama3Style ? ids[0] : null);

        Assert.Equal(tokenizer.TokenTexts.ToList().IndexOf("hello"), body[0]);
        Assert.Equal(" w", tokenizer.TokenTexts[body[1]]);
        Assert.Equal(text, vocabulary.Decode(body));
        Assert.True(body.Length < Encoding.UTF8.GetByteCount(text));
    }

    [Fact]
    public void Special_tokens_in_the_text_are_matched_whole()
    {
        var tokenizer = HuggingFaceTokenizer.Parse(ByteLevelJson(llama3Style: false), "tokenizer.json");
        var ids = tokenizer.Encode("hello<|endoftext|>");
        Assert.Equal(300, ids[^1]);
        Assert.Equal("<|endoftext|>", tokenizer.TokenTexts[300]);
    }

    [Fact]
    public void Partial_utf8_tokens_join_into_their_character_and_never_corrupt_the_text()
    {
        var tokenizer = HuggingFaceTokenizer.Parse(ByteLevelJson(llama3Style: false), "tokenizer.json");
        var vocabulary = VocabularyOf(tokenizer);
        var euro = tokenizer.Encode("€"); // three byte tokens, each an incomplete UTF-8 sequence
        Assert.Equal(3, euro.Length);
        Assert.All(euro, id => Assert.True(TokenText.IsEscapedByte(tokenizer.TokenTexts[id]![0])));

        var text = "a";
        text = vocabulary.AppendToken(text, euro[0], out var unchanged);
        Assert.Equal(1, unchanged);
        text = vocabulary.AppendToken(text, euro[1], out unchanged);
        Assert.Equal(1, unchanged); // the escaped byte before the seam is re-decoded
        Assert.Equal("a\uFFFD\uFFFD", TokenText.Complete(text)); // cut mid-character: replacement characters, valid UTF-16
        text = vocabulary.AppendToken(text, euro[2], out _);
        Assert.Equal("a€", text);
        Assert.Equal("a€", vocabulary.Decode([.. tokenizer.Encode("a"), .. euro]));
    }

    [Theory]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "only BPE tokenizers are supported")]
    [InlineData("""{"normalizer": {"type": "NFC"}, "model": {"type": "BPE", "vocab": {}}}""", "normalizer \"NFC\" is not supported")]
    [InlineData("""{"model": {"type": "BPE", "byte_fallback": true, "vocab": {}}}""", "byte_fallback BPE")]
    [InlineData("""{"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {"a": 0}}}""", "pre_tokenizer step Whitespace is not supported")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": -1}}}""", "model.vocab[\"a\"] must be a non-negative integer id")]
    [InlineData("""{"model": """, "not valid JSON")]
    public void Unsupported_or_broken_tokenizer_files_are_clear_errors(string json, string expected)
    {
        var error = Assert.Throws<ModelException>(() => HuggingFaceTokenizer.Parse(json, "tokenizer.json"));
        Assert.StartsWith("tokenizer.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
