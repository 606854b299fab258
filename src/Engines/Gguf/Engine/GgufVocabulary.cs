using System.Globalization;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// The token texts of a GGUF model, from its metadata: byte-level BPE ("gpt2") tokens through GPT-2's byte table,
/// SentencePiece ("llama") tokens with ▁ as a space and &lt;0xNN&gt; as a byte; control tokens read as themselves.
/// Unused ids (placeholders) are never sampled.
/// </summary>
internal sealed record GgufVocabulary(Vocabulary Vocabulary, bool[] Unused, int? BosId, bool AddBos)
{
    private const int UnusedType = 5;
    private const int ControlType = 3;
    private static readonly string[] SupportedModels = ["gpt2", "llama"];

    public static GgufVocabulary Read(GgufFile file)
    {
        var model = file.RequiredString("tokenizer.ggml.model");
        if (!SupportedModels.Contains(model))
        {
            throw new ModelException($"{file.Path}: tokenizer '{model}' is not supported (supported: {string.Join(", ", SupportedModels)})");
        }

        var tokens = file.Array("tokenizer.ggml.tokens") ?? throw new ModelException($"{file.Path}: no tokenizer.ggml.tokens in the GGUF metadata");
        var types = file.Array("tokenizer.ggml.token_type");
        var texts = new string[tokens.Length];
        var unused = new bool[tokens.Length];
        for (var id = 0; id < tokens.Length; id++)
        {
            var token = tokens[id] as string ?? throw new ModelException($"{file.Path}: tokenizer.ggml.tokens[{id}] is not a string");
            var type = types is not null && id < types.Length && types[id] is long t ? t : 1;
            unused[id] = type == UnusedType;
            texts[id] = type == ControlType || unused[id] ? token : model == "gpt2" ? ByteLevel(token) : SentencePiece(token);
        }

        var eos = file.RequiredInteger("tokenizer.ggml.eos_token_id");
        if (eos < 0 || eos >= texts.Length)
        {
            throw new ModelException($"{file.Path}: eos token id {eos} is outside the {texts.Length} tokens");
        }

        var bos = file.Integer("tokenizer.ggml.bos_token_id") is { } b && b >= 0 && b < texts.Length ? (int?)b : null;
        var addBos = file.Bool("tokenizer.ggml.add_bos_token") ?? model == "llama";
        return new GgufVocabulary(new Vocabulary(texts, (int)eos), unused, bos, addBos);
    }

    private static string ByteLevel(string token) =>
        ByteLevelAlphabet.BytesOf(token) is { } bytes ? TokenText.DecodeUtf8(bytes) : token;

    private static string SentencePiece(string token)
    {
        if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token.EndsWith('>')
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            return TokenText.DecodeUtf8([value]);
        }

        return token.Replace('\u2581', ' ');
    }
}
