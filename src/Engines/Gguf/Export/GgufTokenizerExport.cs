using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tokenizers;

namespace Tts.Engines.Gguf.Export;

/// <summary>
/// A Hugging Face tokenizer as llama.cpp's byte-level BPE ("gpt2") tokenizer metadata: every token spelled through
/// GPT-2's byte-to-unicode table (space → Ġ, newline → Ċ), special tokens as control tokens, ids the checkpoint has no
/// token for as unused placeholders. A character-level vocabulary gets merges that rebuild each multi-byte character
/// from its bytes, since llama.cpp splits text into bytes before merging.
/// </summary>
internal static class GgufTokenizerExport
{
    private const int Normal = 1;
    private const int Control = 3;
    private const int UserDefined = 4;
    private const int Unused = 5;

    public static void AddTo(GgufWriter writer, HuggingFaceTokenizer tokenizer, int vocabSize, int eosId, int? bosId)
    {
        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        var specialIds = tokenizer.SpecialTokens.Values.ToHashSet();
        var addedIds = AddedTokenIds(tokenizer.Json);
        for (var id = 0; id < vocabSize; id++)
        {
            var text = id < tokenizer.TokenTexts.Count ? tokenizer.TokenTexts[id] : null;
            if (text is null)
            {
                (tokens[id], types[id]) = ($"[PAD{id}]", Unused);
            }
            else if (specialIds.Contains(id) || addedIds.Contains(id))
            {
                // Added tokens are matched as whole strings by llama.cpp, not spelled through the byte table.
                (tokens[id], types[id]) = (text, specialIds.Contains(id) ? Control : UserDefined);
            }
            else
            {
                (tokens[id], types[id]) = (ByteLevelAlphabet.Spell(BytesOf(text)), Normal);
            }
        }

        // llama.cpp stops generating at EOS only when it is a control token (its own loops; ours stop at EosId anyway).
        types[eosId] = Control;
        writer.AddString("tokenizer.ggml.model", "gpt2");
        writer.AddString("tokenizer.ggml.pre", "gpt-2");
        writer.AddStrings("tokenizer.ggml.tokens", tokens);
        writer.AddInt32s("tokenizer.ggml.token_type", types);
        writer.AddStrings("tokenizer.ggml.merges", Merges(tokenizer, tokens, types));
        writer.AddUInt32("tokenizer.ggml.eos_token_id", (uint)eosId);
        writer.AddUInt32("tokenizer.ggml.bos_token_id", (uint)(tokenizer.PrependedId ?? bosId ?? eosId));
        writer.AddBool("tokenizer.ggml.add_bos_token", tokenizer.PrependedId is not null);
        writer.AddBool("tokenizer.ggml.add_eos_token", false);
    }

    /// <summary>The UTF-8 bytes a token text stands for; escaped bytes of a partial character (<see cref="TokenText"/>) are themselves.</summary>
    internal static byte[] BytesOf(string text)
    {
        var bytes = new List<byte>(text.Length);
        var run = new StringBuilder();
        foreach (var c in text)
        {
            if (TokenText.IsEscapedByte(c))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(run.ToString()));
                run.Clear();
                bytes.Add((byte)(c - 0xDC00));
            }
            else
            {
                run.Append(c);
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(run.ToString()));
        return [.. bytes];
    }

    private static List<string> Merges(HuggingFaceTokenizer tokenizer, string[] tokens, int[] types)
    {
        var merges = new List<string>();
        var model = JsonNode.Parse(tokenizer.Json)?["model"];
        foreach (var merge in model?["merges"] as JsonArray ?? [])
        {
            var (left, right) = merge switch
            {
                JsonArray { Count: 2 } pair => (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()),
                JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Split(' ') is [var a, var b] => (a, b),
                _ => throw new ModelException("tokenizer.json: a merge is neither \"a b\" nor [\"a\", \"b\"]"),
            };
            merges.Add(tokenizer.IsByteLevel
                ? $"{left} {right}"
                : $"{ByteLevelAlphabet.Spell(BytesOf(left))} {ByteLevelAlphabet.Spell(BytesOf(right))}");
        }

        if (!tokenizer.IsByteLevel)
        {
            // A character token of several bytes: merge its bytes left to right (after the checkpoint's own merges).
            var known = merges.ToHashSet(StringComparer.Ordinal);
            for (var id = 0; id < tokens.Length; id++)
            {
                var text = id < tokenizer.TokenTexts.Count ? tokenizer.TokenTexts[id] : null;
                if (types[id] != Normal || text is null || !IsOneCharacter(text) || tokens[id].Length < 2)
                {
                    continue;
                }

                for (var cut = 1; cut < tokens[id].Length; cut++)
                {
                    var merge = $"{tokens[id][..cut]} {tokens[id][cut]}";
                    if (known.Add(merge))
                    {
                        merges.Add(merge);
                    }
                }
            }
        }

        return merges;
    }

    private static bool IsOneCharacter(string text) =>
        text.EnumerateRunes().Count() == 1 && !text.Any(TokenText.IsEscapedByte);

    private static HashSet<int> AddedTokenIds(string json)
    {
        var ids = new HashSet<int>();
        foreach (var added in JsonNode.Parse(json)?["added_tokens"] as JsonArray ?? [])
        {
            if (added?["id"] is JsonValue id && id.TryGetValue<int>(out var value))
            {
                ids.Add(value);
            }
        }

        return ids;
    }
}
