using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;

namespace Tts.Engines.Remote;

/// <summary>
/// The served model's vocabulary, read locally (a server's token ids mean nothing without it; nothing is fetched):
/// a model directory with tokenizer.json and config.json (the vocabulary size, EOS and BOS ids), or a tabular model's
/// JSON file. Prompts are tokenized here and sent as token ids, so the server sees exactly the tokens the runtime
/// samples on: no text is ever retokenized between steps.
/// </summary>
public sealed class ServedTokenizer
{
    private readonly Func<string, int[]> _encode;

    private ServedTokenizer(Vocabulary vocabulary, Func<string, int[]> encode, int[] emptyContext)
    {
        Vocabulary = vocabulary;
        _encode = encode;
        EmptyContext = emptyContext;
    }

    public Vocabulary Vocabulary { get; }

    /// <summary>What a row with an empty prompt sends: a server needs one token of context (BOS, else EOS, as the in-process transformer does); a tabular model needs none.</summary>
    public int[] EmptyContext { get; }

    /// <exception cref="RemoteException">The path is neither a model directory nor a tabular file, or it cannot be read.</exception>
    public static ServedTokenizer Load(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                var config = TransformerConfig.Load(Path.Combine(path, TransformerModel.ConfigFileName));
                var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(path, TransformerModel.TokenizerFileName));
                var eos = config.EosTokenId ?? throw new RemoteException($"{path}: {TransformerModel.ConfigFileName} has no eos_token_id");
                var texts = new string[config.VocabSize];
                for (var id = 0; id < texts.Length; id++)
                {
                    texts[id] = id < tokenizer.TokenTexts.Count ? tokenizer.TokenTexts[id] ?? "" : "";
                }

                return new ServedTokenizer(new Vocabulary(texts, eos), tokenizer.Encode, [config.BosTokenId ?? eos]);
            }

            if (File.Exists(path))
            {
                var tabular = TabularModel.Load(path);
                return new ServedTokenizer(tabular.Vocabulary, tabular.Encode, []);
            }
        }
        catch (ModelException exception)
        {
            throw new RemoteException($"tokenizer {path}: {exception.Message}", exception);
        }

        throw new RemoteException($"tokenizer {path}: no such directory (with tokenizer.json and config.json) or tabular model file");
    }

    /// <exception cref="ModelException">The text cannot be tokenized.</exception>
    public int[] Encode(string text) => _encode(text);

    /// <summary>What a row's context starts from: its prompt, or <see cref="EmptyContext"/> for an empty prompt (generated tokens follow it).</summary>
    public int[] ContextOf(int[] prompt) => prompt.Length > 0 ? prompt : EmptyContext;
}
