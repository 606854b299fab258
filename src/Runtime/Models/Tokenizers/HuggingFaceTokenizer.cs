using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Tts.Runtime.Models.Tokenizers;

/// <summary>
/// A BPE tokenizer read from a Hugging Face <c>tokenizer.json</c> (Microsoft.ML.Tokenizers has no loader for it):
/// the model's vocab and merges, its added (special) tokens, and the pre-tokenizer, built into a
/// <see cref="BpeTokenizer"/>. Two shapes are supported:
/// <list type="bullet">
/// <item>byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM): a <c>ByteLevel</c> pre-tokenizer, alone or after a regex
/// <c>Split</c>; token texts are decoded through the byte-to-unicode table, partial UTF-8 kept as escaped bytes
/// (<see cref="TokenText"/>);</item>
/// <item>character-level: a BPE model over single characters with no merges and no pre-tokenizer (what the
/// project's own small models use; Hugging Face reads it as is); token texts are the vocab strings.</item>
/// </list>
/// Not supported (rejected with a message): normalizers, byte fallback, subword prefixes/suffixes, other models.
/// Llama 3's <c>ignore_merges</c> flag is ignored: whole-word vocab hits are then reached through merges instead,
/// which gives the same ids whenever the merges can build the word.
/// </summary>
public sealed class HuggingFaceTokenizer
{
    /// <summary>GPT-2's pre-tokenization pattern, used by <c>ByteLevel</c> with <c>use_regex: true</c>.</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private const string WholeText = "(?s).+";

    private readonly BpeTokenizer _bpe;
    private readonly bool _addPrefixSpace;
    private readonly string _sourceName;

    private HuggingFaceTokenizer(BpeTokenizer bpe, IReadOnlyList<string?> tokenTexts, IReadOnlyDictionary<string, int> specialTokens,
        bool isByteLevel, bool addPrefixSpace, int? prependedId, string json, string sourceName)
    {
        _bpe = bpe;
        TokenTexts = tokenTexts;
        SpecialTokens = specialTokens;
        IsByteLevel = isByteLevel;
        _addPrefixSpace = addPrefixSpace;
        PrependedId = prependedId;
        Json = json;
        _sourceName = sourceName;
    }

    /// <summary>Each id's text (null for ids the file leaves unassigned), byte-level tokens decoded.</summary>
    public IReadOnlyList<string?> TokenTexts { get; }

    /// <summary>The added tokens (content → id), matched whole in the input.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    public bool IsByteLevel { get; }

    /// <summary>The id the post-processor puts before every text (Llama's BOS), if any.</summary>
    public int? PrependedId { get; }

    /// <summary>The file's text, written back unchanged when a model is saved.</summary>
    public string Json { get; }

    public static HuggingFaceTokenizer Load(string path) => Parse(ModelFiles.ReadText(path, "the tokenizer"), path);

    public static HuggingFaceTokenizer Parse(string json, string sourceName)
    {
        var root = ModelFiles.ParseObject(json, sourceName);

        ModelException Unsupported(string what) => new($"{sourceName}: {what}");

        if (root["model"] is not JsonObject model || model["type"]?.GetValue<string>() is not "BPE" and not null)
        {
            throw Unsupported($"only BPE tokenizers are supported (model.type is {root["model"]?["type"]?.ToJsonString() ?? "missing"})");
        }

        if (root["normalizer"] is JsonObject normalizer)
        {
            throw Unsupported($"normalizer {normalizer["type"]?.ToJsonString()} is not supported");
        }

        if (model["byte_fallback"]?.GetValue<bool>() == true)
        {
            throw Unsupported("byte_fallback BPE (SentencePiece-style) is not supported");
        }

        if (!string.IsNullOrEmpty(model["continuing_subword_prefix"]?.GetValue<string>())
            || !string.IsNullOrEmpty(model["end_of_word_suffix"]?.GetValue<string>()))
        {
            throw Unsupported("continuing_subword_prefix / end_of_word_suffix are not supported");
        }

        if (model["vocab"] is not JsonObject vocabObject)
        {
            throw Unsupported("model.vocab must be an object of token → id");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabObject)
        {
            vocab[token] = ReadId(id, $"model.vocab[\"{token}\"]", sourceName);
        }

        var merges = ReadMerges(model["merges"], sourceName);
        var specialTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root["added_tokens"] is JsonArray added)
        {
            foreach (var entry in added)
            {
                var content = entry?["content"]?.GetValue<string>() ?? throw Unsupported("added_tokens entries need a \"content\"");
                specialTokens[content] = ReadId(entry["id"], $"added_tokens[\"{content}\"].id", sourceName);
            }
        }

        var (isByteLevel, pattern, addPrefixSpace) = ReadPreTokenizer(root["pre_tokenizer"], sourceName);
        var options = new BpeOptions(vocab.Concat(specialTokens.Where(s => !vocab.ContainsKey(s.Key))))
        {
            Merges = merges,
            SpecialTokens = specialTokens.Count == 0 ? null : specialTokens,
            // Without a pre-tokenizer Hugging Face sees the whole text as one word; BpeTokenizer would split at
            // whitespace by default, so say "one piece" explicitly.
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern ?? WholeText, RegexOptions.Compiled), specialTokens.Count == 0 ? null : specialTokens),
            ByteLevel = isByteLevel,
            UnknownToken = model["unk_token"]?.GetValue<string>(),
        };

        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(options);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelException($"{sourceName}: cannot build the BPE tokenizer: {exception.Message}", exception);
        }

        var texts = BuildTokenTexts(vocab, specialTokens, isByteLevel);
        return new HuggingFaceTokenizer(bpe, texts, specialTokens, isByteLevel, addPrefixSpace,
            ReadPrependedId(root["post_processor"], specialTokens, vocab), json, sourceName);
    }

    /// <summary>
    /// A character-level tokenizer.json: a BPE model whose vocab is the given single characters and special tokens
    /// (ids in that order: specials first) with no merges and no pre-tokenizer; Hugging Face's <c>tokenizers</c> reads
    /// it as is. Each input character is one token.
    /// </summary>
    public static string CharacterLevelJson(IEnumerable<string> specialTokens, IEnumerable<char> characters)
    {
        var specials = specialTokens.ToList();
        var vocab = new JsonObject();
        var added = new JsonArray();
        foreach (var special in specials)
        {
            added.Add(new JsonObject
            {
                ["id"] = vocab.Count, ["content"] = special, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
            vocab[special] = vocab.Count;
        }

        foreach (var character in characters.Distinct())
        {
            vocab[character.ToString()] = vocab.Count;
        }

        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = null,
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "Fuse" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Token ids of <paramref name="text"/> (the post-processor's BOS first, when it has one). Throws
    /// <see cref="ModelException"/> when the tokens do not spell the text back (a character outside a
    /// character-level vocabulary).
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var input = _addPrefixSpace && text.Length > 0 && text[0] != ' ' ? " " + text : text;
        IReadOnlyList<int> ids;
        try
        {
            ids = input.Length == 0 ? [] : _bpe.EncodeToIds(input);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ModelException($"{_sourceName}: cannot tokenize {Quote(text)}: {exception.Message}", exception);
        }

        var spelled = "";
        foreach (var id in ids)
        {
            spelled = TokenText.Append(spelled, id < TokenTexts.Count ? TokenTexts[id] ?? "" : "", out _);
        }

        if (TokenText.Complete(spelled) != input)
        {
            var missing = input.FirstOrDefault(c => !TokenTexts.Contains(c.ToString()));
            throw new ModelException(
                $"{_sourceName}: cannot tokenize {Quote(text)}" + (missing == default ? "" : $": {Quote(missing.ToString())} is not in the vocabulary"));
        }

        return PrependedId is { } first ? [first, .. ids] : [.. ids];
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static int ReadId(JsonNode? node, string where, string sourceName) =>
        node is JsonValue value && value.TryGetValue<int>(out var id) && id >= 0
            ? id
            : throw new ModelException($"{sourceName}: {where} must be a non-negative integer id");

    private static List<string> ReadMerges(JsonNode? node, string sourceName)
    {
        var merges = new List<string>();
        if (node is null)
        {
            return merges;
        }

        if (node is not JsonArray array)
        {
            throw new ModelException($"{sourceName}: model.merges must be an array");
        }

        foreach (var merge in array)
        {
            merges.Add(merge switch
            {
                // Older files write "a b"; newer ones ["a", "b"].
                JsonValue value when value.TryGetValue<string>(out var pair) => pair,
                JsonArray { Count: 2 } pair => $"{pair[0]?.GetValue<string>()} {pair[1]?.GetValue<string>()}",
                _ => throw new ModelException($"{sourceName}: each merge must be \"a b\" or [\"a\", \"b\"]"),
            });
        }

        return merges;
    }

    /// <summary>Whether the tokenizer is byte-level, the regex that splits words, and whether a space is prepended.</summary>
    private static (bool IsByteLevel, string? Pattern, bool AddPrefixSpace) ReadPreTokenizer(JsonNode? node, string sourceName)
    {
        static bool Flag(JsonNode step, string name, bool fallback) => step[name]?.GetValue<bool>() ?? fallback;

        var steps = node switch
        {
            null => [],
            JsonObject { } sequence when sequence["type"]?.GetValue<string>() == "Sequence" =>
                (sequence["pretokenizers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [],
            JsonObject single => [single],
            _ => throw new ModelException($"{sourceName}: pre_tokenizer must be an object or null"),
        };

        string? pattern = null;
        var isByteLevel = false;
        var addPrefixSpace = false;
        foreach (var step in steps)
        {
            var regex = step["pattern"]?["Regex"]?.GetValue<string>();
            switch (step["type"]?.GetValue<string>())
            {
                case "Split" when pattern is null && regex is not null:
                    pattern = regex;
                    break;
                case "ByteLevel":
                    isByteLevel = true;
                    addPrefixSpace = Flag(step, "add_prefix_space", false);
                    if (Flag(step, "use_regex", true))
                    {
                        pattern ??= Gpt2Pattern;
                    }

                    break;
                case var type:
                    throw new ModelException(
                        $"{sourceName}: pre_tokenizer step {type ?? "(no type)"} is not supported (supported: ByteLevel, a regex Split before ByteLevel)");
            }
        }

        if (pattern is not null && !isByteLevel)
        {
            throw new ModelException($"{sourceName}: a Split pre-tokenizer is supported only before ByteLevel");
        }

        return (isByteLevel, pattern, addPrefixSpace);
    }

    /// <summary>The id of a special token a <c>TemplateProcessing</c> post-processor puts first in a single text.</summary>
    private static int? ReadPrependedId(JsonNode? node, Dictionary<string, int> specialTokens, Dictionary<string, int> vocab)
    {
        var processors = node?["type"]?.GetValue<string>() == "Sequence" ? (node["processors"] as JsonArray)?.ToList() ?? [] : [node];
        foreach (var processor in processors)
        {
            if (processor?["type"]?.GetValue<string>() == "TemplateProcessing"
                && processor["single"] is JsonArray { Count: > 0 } single
                && single[0]?["SpecialToken"]?["id"]?.GetValue<string>() is { } first)
            {
                return specialTokens.TryGetValue(first, out var id) ? id : vocab.TryGetValue(first, out id) ? id : null;
            }
        }

        return null;
    }

    private static string?[] BuildTokenTexts(Dictionary<string, int> vocab, Dictionary<string, int> specialTokens, bool isByteLevel)
    {
        var count = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, specialTokens.Count == 0 ? 0 : specialTokens.Values.Max() + 1);
        var texts = new string?[count];
        foreach (var (token, id) in vocab)
        {
            texts[id] = isByteLevel && ByteLevelAlphabet.BytesOf(token) is { } bytes ? TokenText.DecodeUtf8(bytes) : token;
        }

        // Special tokens read as their content (e.g. "<|endoftext|>"), never through the byte table.
        foreach (var (content, id) in specialTokens)
        {
            texts[id] = content;
        }

        return texts;
    }
}
