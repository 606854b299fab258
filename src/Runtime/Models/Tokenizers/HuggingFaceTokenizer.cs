using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Tts.Semantics;

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

    private static readonly Regex Gpt2Regex = new(Gpt2Pattern, RegexOptions.Compiled);

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
        var fields = new JsonFieldReader(sourceName);

        var model = fields.Object(root["model"], "model");
        if (fields.OptionalString(model["type"], "model.type") is { } modelType and not "BPE")
        {
            throw fields.Error("model.type", $"is {Quote(modelType)}: only BPE tokenizers are supported");
        }

        if (fields.OptionalObject(root["normalizer"], "normalizer") is { } normalizer)
        {
            throw new ModelException($"{sourceName}: normalizer {normalizer["type"]?.ToJsonString()} is not supported");
        }

        if (fields.OptionalBool(model["byte_fallback"], "model.byte_fallback") == true)
        {
            throw new ModelException($"{sourceName}: byte_fallback BPE (SentencePiece-style) is not supported");
        }

        if (!string.IsNullOrEmpty(fields.OptionalString(model["continuing_subword_prefix"], "model.continuing_subword_prefix"))
            || !string.IsNullOrEmpty(fields.OptionalString(model["end_of_word_suffix"], "model.end_of_word_suffix")))
        {
            throw new ModelException($"{sourceName}: continuing_subword_prefix / end_of_word_suffix are not supported");
        }

        var vocabObject = model["vocab"] as JsonObject ?? throw fields.WrongType("model.vocab", "an object of token → id", model["vocab"]);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabObject)
        {
            vocab[token] = ReadId(fields, id, $"model.vocab[{Quote(token)}]");
        }

        var merges = ReadMerges(fields, model["merges"], vocab);
        var specialTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = fields.OptionalArray(root["added_tokens"], "added_tokens") ?? [];
        for (var i = 0; i < added.Count; i++)
        {
            var entry = fields.Object(added[i], $"added_tokens[{i}]");
            var content = fields.String(entry["content"], $"added_tokens[{i}].content");
            specialTokens[content] = ReadId(fields, entry["id"], $"added_tokens[{i}].id");
        }

        var unknownToken = fields.OptionalString(model["unk_token"], "model.unk_token");
        if (unknownToken is not null && !vocab.ContainsKey(unknownToken) && !specialTokens.ContainsKey(unknownToken))
        {
            throw fields.Error("model.unk_token", $"{Quote(unknownToken)} is not a token of model.vocab or added_tokens");
        }

        var (isByteLevel, pattern, addPrefixSpace) = ReadPreTokenizer(fields, root["pre_tokenizer"]);
        CheckDecoder(fields, root["decoder"], "decoder");
        var prependedId = ReadPrependedId(fields, root["post_processor"], specialTokens, vocab);
        var options = new BpeOptions(vocab.Concat(specialTokens.Where(s => !vocab.ContainsKey(s.Key))))
        {
            Merges = merges,
            SpecialTokens = specialTokens.Count == 0 ? null : specialTokens,
            // Without a pre-tokenizer Hugging Face sees the whole text as one word; BpeTokenizer would split at
            // whitespace by default, so say "one piece" explicitly.
            PreTokenizer = new RegexPreTokenizer(pattern ?? new Regex(WholeText, RegexOptions.Compiled), specialTokens.Count == 0 ? null : specialTokens),
            ByteLevel = isByteLevel,
            UnknownToken = unknownToken,
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
        return new HuggingFaceTokenizer(bpe, texts, specialTokens, isByteLevel, addPrefixSpace, prependedId, json, sourceName);
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
                $"{_sourceName}: cannot tokenize {Quote(text)}" + (missing == default ? "" : $": {Quote(missing.ToString())} is not in the vocabulary{VocabularyHint()}"));
        }

        return PrependedId is { } first ? [first, .. ids] : [.. ids];
    }

    /// <summary>Text as a <c>.tts</c> literal, the way it is typed on the command line (<c>\n</c> for a newline), non-ASCII kept readable.</summary>
    private static string Quote(string text) => Constants.Quote(text);

    /// <summary>A small vocabulary (a character-level model such as the shipped ones) is listed, so the fix is in the message.</summary>
    private string VocabularyHint()
    {
        var texts = TokenTexts.Where(t => !string.IsNullOrEmpty(t) && !SpecialTokens.ContainsKey(t!)).Distinct().ToList();
        return texts.Count > 64 ? "" : $"; the model reads only {string.Join(" ", texts.Select(t => Quote(t!)))}";
    }

    /// <summary>
    /// Ids index an array of token texts, so one absurd id would allocate gigabytes; the largest vocabularies in use
    /// have about 256 K tokens.
    /// </summary>
    private const int MaxTokenId = (1 << 24) - 1;

    private static int ReadId(JsonFieldReader fields, JsonNode? node, string field)
    {
        var id = fields.TokenId(node, field);
        return id <= MaxTokenId ? id : throw fields.Error(field, $"is {id}: ids above {MaxTokenId} are not supported");
    }

    /// <summary>The merges as "a b"; each side and their concatenation must be tokens, as Hugging Face requires.</summary>
    private static List<string> ReadMerges(JsonFieldReader fields, JsonNode? node, Dictionary<string, int> vocab)
    {
        var merges = new List<string>();
        var array = fields.OptionalArray(node, "model.merges") ?? [];
        for (var i = 0; i < array.Count; i++)
        {
            var field = $"model.merges[{i}]";
            var (left, right) = array[i] switch
            {
                // Older files write "a b"; newer ones ["a", "b"].
                JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Split(' ') is [var a, var b] => (a, b),
                JsonArray { Count: 2 } pair when pair.All(p => p?.GetValueKind() == JsonValueKind.String) => (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()),
                var other => throw fields.WrongType(field, "\"a b\" or [\"a\", \"b\"]", other),
            };
            foreach (var token in new[] { left, right, left + right })
            {
                if (!vocab.ContainsKey(token))
                {
                    throw fields.Error(field, $"needs the token {Quote(token)}, which is not in model.vocab");
                }
            }

            merges.Add($"{left} {right}");
        }

        return merges;
    }

    /// <summary>Whether the tokenizer is byte-level, the regex that splits words, and whether a space is prepended.</summary>
    private static (bool IsByteLevel, Regex? Pattern, bool AddPrefixSpace) ReadPreTokenizer(JsonFieldReader fields, JsonNode? node)
    {
        var steps = new List<(JsonObject Step, string Field, string Type)>();
        if (fields.OptionalObject(node, "pre_tokenizer") is { } preTokenizer)
        {
            var type = fields.String(preTokenizer["type"], "pre_tokenizer.type");
            if (type == "Sequence")
            {
                var list = fields.Array(preTokenizer["pretokenizers"], "pre_tokenizer.pretokenizers");
                for (var i = 0; i < list.Count; i++)
                {
                    var field = $"pre_tokenizer.pretokenizers[{i}]";
                    var step = fields.Object(list[i], field);
                    steps.Add((step, field, fields.String(step["type"], field + ".type")));
                }
            }
            else
            {
                steps.Add((preTokenizer, "pre_tokenizer", type));
            }
        }

        Regex? pattern = null;
        var isByteLevel = false;
        var addPrefixSpace = false;
        foreach (var (step, field, type) in steps)
        {
            var regex = type == "Split" ? fields.OptionalString(fields.Object(step["pattern"], field + ".pattern")["Regex"], field + ".pattern.Regex") : null;
            switch (type)
            {
                case "Split" when pattern is null && regex is not null:
                    pattern = Compile(fields, regex, field + ".pattern.Regex");
                    break;
                case "ByteLevel":
                    isByteLevel = true;
                    addPrefixSpace = fields.OptionalBool(step["add_prefix_space"], field + ".add_prefix_space") ?? false;
                    if (fields.OptionalBool(step["use_regex"], field + ".use_regex") ?? true)
                    {
                        pattern ??= Gpt2Regex;
                    }

                    break;
                default:
                    throw fields.Error(field, $"step {type} is not supported (supported: ByteLevel, a regex Split before ByteLevel)");
            }
        }

        if (pattern is not null && !isByteLevel)
        {
            throw fields.Error("pre_tokenizer", "Split is supported only before ByteLevel");
        }

        return (isByteLevel, pattern, addPrefixSpace);
    }

    private static Regex Compile(JsonFieldReader fields, string pattern, string field)
    {
        try
        {
            return new Regex(pattern, RegexOptions.Compiled);
        }
        catch (ArgumentException exception)
        {
            throw fields.Error(field, $"is not a regular expression .NET can run: {exception.Message}");
        }
    }

    /// <summary>
    /// The decoder turns tokens back into text; this loader does that itself (byte-level tokens through the byte table,
    /// others as they are), which is what <c>ByteLevel</c> and <c>Fuse</c> do. Any other decoder would change the text.
    /// </summary>
    private static void CheckDecoder(JsonFieldReader fields, JsonNode? node, string field)
    {
        if (fields.OptionalObject(node, field) is not { } decoder)
        {
            return;
        }

        switch (fields.String(decoder["type"], field + ".type"))
        {
            case "ByteLevel" or "Fuse":
                return;
            case "Sequence":
                var decoders = fields.Array(decoder["decoders"], field + ".decoders");
                for (var i = 0; i < decoders.Count; i++)
                {
                    CheckDecoder(fields, fields.Object(decoders[i], $"{field}.decoders[{i}]"), $"{field}.decoders[{i}]");
                }

                return;
            case var type:
                throw fields.Error(field + ".type", $"{Quote(type)} is not supported (supported: ByteLevel, Fuse, a Sequence of them)");
        }
    }

    /// <summary>The id of a special token a <c>TemplateProcessing</c> post-processor puts first in a single text.</summary>
    private static int? ReadPrependedId(JsonFieldReader fields, JsonNode? node, Dictionary<string, int> specialTokens, Dictionary<string, int> vocab)
    {
        if (fields.OptionalObject(node, "post_processor") is not { } postProcessor)
        {
            return null;
        }

        var processors = new List<(JsonObject Processor, string Field)>();
        if (fields.String(postProcessor["type"], "post_processor.type") == "Sequence")
        {
            var list = fields.Array(postProcessor["processors"], "post_processor.processors");
            for (var i = 0; i < list.Count; i++)
            {
                processors.Add((fields.Object(list[i], $"post_processor.processors[{i}]"), $"post_processor.processors[{i}]"));
            }
        }
        else
        {
            processors.Add((postProcessor, "post_processor"));
        }

        foreach (var (processor, field) in processors)
        {
            if (fields.String(processor["type"], field + ".type") != "TemplateProcessing"
                || fields.OptionalArray(processor["single"], field + ".single") is not { Count: > 0 } single
                || fields.Object(single[0], field + ".single[0]")["SpecialToken"] is not { } specialToken)
            {
                continue;
            }

            var idField = field + ".single[0].SpecialToken.id";
            var first = fields.String(fields.Object(specialToken, field + ".single[0].SpecialToken")["id"], idField);
            return specialTokens.TryGetValue(first, out var id) || vocab.TryGetValue(first, out id)
                ? id
                : throw fields.Error(idField, $"{Quote(first)} is not a token of model.vocab or added_tokens");
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
