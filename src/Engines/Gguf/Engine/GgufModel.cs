using System.Globalization;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// A GGUF model run in process by llama.cpp (LLamaSharp's batched executor): one llama.cpp sequence per row, each
/// distinct prompt prefilled once and forked to the rows that continue it, every live row decoded in one batch per
/// step and context (a population above one context's sequences is spread over several, <see cref="GgufContextPool"/>). Full logits come back and become float64 log-probabilities, so the runtime's own sampler, masks and
/// resamplers run on them exactly as on the TorchSharp engine. All llama.cpp calls of one model are serialized.
/// </summary>
public sealed class GgufModel : ILanguageModel
{
    private static readonly string[] SupportedArchitectures = ["llama", "mistral", "qwen2", "qwen3"];

    /// <summary>llama.cpp's LLAMA_MAX_SEQ: the most sequences one context can hold.</summary>
    public const int MaxSequencesPerContext = 256;

    private readonly LLamaWeights _weights;
    private readonly GgufVocabulary _vocabulary;

    private GgufModel(string path, GgufFile file, GgufVocabulary vocabulary, LLamaWeights weights, GgufContextPool pool, int trainingContext)
    {
        SourceName = path;
        File = file;
        _vocabulary = vocabulary;
        _weights = weights;
        Pool = pool;
        TrainingContext = trainingContext;
    }

    public string SourceName { get; }

    public GgufFile File { get; }

    public Vocabulary Vocabulary => _vocabulary.Vocabulary;

    /// <summary>Sequences (rows) per llama.cpp context; more rows take more contexts.</summary>
    public int SequencesPerContext => Pool.SequencesPerContext;

    /// <summary>KV cache cells of each context, shared by its sequences.</summary>
    public int ContextTokens => Pool.ContextTokens;

    /// <summary>llama.cpp contexts made so far.</summary>
    public int Contexts => Pool.Contexts;

    /// <summary>The model's own context length: a row whose next token would sit there must end.</summary>
    public int TrainingContext { get; }

    internal int BatchTokens => Pool.BatchTokens;

    internal GgufContextPool Pool { get; }

    internal bool[] Unused => _vocabulary.Unused;

    /// <summary>Held while llama.cpp runs: one context serves every state of this model.</summary>
    internal object Gate { get; } = new();

    /// <summary>Rows currently holding a sequence, over all states of this model.</summary>
    public int LiveSequences => Pool.LiveSequences;

    /// <summary>Forward passes (llama_decode calls) so far.</summary>
    public long DecodeCalls => Pool.DecodeCalls;

    public static GgufModel Load(string path, GgufOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new GgufOptions();
        var file = GgufFile.Read(path);
        var architecture = file.RequiredString("general.architecture");
        if (!SupportedArchitectures.Contains(architecture))
        {
            throw new ModelException($"{path}: architecture '{architecture}' is not supported by the gguf engine (supported: {string.Join(", ", SupportedArchitectures)})");
        }

        var vocabulary = GgufVocabulary.Read(file);
        var trainingContext = (int)file.RequiredInteger($"{architecture}.context_length");
        if (options.Sequences is < 1 or > MaxSequencesPerContext)
        {
            throw new ModelException($"{path}: sequences per context must be from 1 to {MaxSequencesPerContext} (llama.cpp's limit), got {options.Sequences}");
        }

        var bytesPerCell = KvBytesPerToken(file, architecture) * (options.FullPrecisionAttention ? 2 : 1);
        var budget = options.MaxKvCacheBytes ?? RunOptions.AvailableMemoryBytes / 4;
        var contextTokens = options.ContextTokens
                            ?? (int)Math.Max(Math.Max(256, Math.Min(trainingContext, 65536)), Math.Min(Math.Min(65536L, (long)trainingContext * options.Sequences / 4), budget / Math.Max(1, bytesPerCell)));
        // A context's KV cache and its logits output buffer (one row of vocabulary floats per sequence).
        var contextBytes = (long)contextTokens * bytesPerCell + (long)options.Sequences * vocabulary.Vocabulary.Count * sizeof(float);
        if (contextBytes > budget)
        {
            throw new ModelException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: a llama.cpp context of {contextTokens} KV cells and {options.Sequences} sequences takes {contextBytes / 1e9:F2} GB, more than the {budget / 1e9:F2} GB allowed: lower gguf:FILE?context=N or sequences=N, or raise kv_cache_gb=G"));
        }

        LlamaNativeLog.Install();
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)contextTokens,
            SeqMax = (uint)options.Sequences,
            BatchSize = (uint)Math.Max(options.Sequences, 512),
            UBatchSize = (uint)Math.Max(options.Sequences, 512),
            KVUnified = true,
            FlashAttention = options.FullPrecisionAttention ? false : null,
            TypeK = options.FullPrecisionAttention ? GGMLType.GGML_TYPE_F32 : GGMLType.GGML_TYPE_F16,
            TypeV = options.FullPrecisionAttention ? GGMLType.GGML_TYPE_F32 : GGMLType.GGML_TYPE_F16,
            GpuLayerCount = options.GpuLayers,
            Threads = options.Threads ?? Environment.ProcessorCount,
            BatchThreads = options.Threads ?? Environment.ProcessorCount,
        };
        var weights = LlamaNativeLog.LoadWeights(path, parameters);

        try
        {
            if (weights.Vocab.Count != vocabulary.Vocabulary.Count)
            {
                throw new ModelException($"{path}: llama.cpp reads {weights.Vocab.Count} tokens, the metadata lists {vocabulary.Vocabulary.Count}");
            }

            return new GgufModel(path, file, vocabulary, weights, new GgufContextPool(path, weights, parameters, contextBytes, budget), trainingContext);
        }
        catch (Exception exception) when (exception is not ModelException)
        {
            weights.Dispose();
            throw LlamaNativeLog.Failure($"{path}: llama.cpp could not create a context ({exception.Message})", exception);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return _vocabulary.AddBos && _vocabulary.BosId is { } bos ? [bos] : [];
        }

        lock (Gate)
        {
            return Tokenize(_weights, _vocabulary, text, SourceName);
        }
    }

    /// <summary>llama.cpp's tokenization of a non-empty text, checked to spell the text back.</summary>
    internal static int[] Tokenize(LLamaWeights weights, GgufVocabulary vocabulary, string text, string sourceName)
    {
        var ids = Array.ConvertAll(weights.Tokenize(text, vocabulary.AddBos, special: false, System.Text.Encoding.UTF8), t => (int)t);
        var skip = vocabulary.AddBos && ids.Length > 0 && ids[0] == vocabulary.BosId ? 1 : 0;
        if (vocabulary.Vocabulary.Decode(ids.Skip(skip)) != text)
        {
            throw new ModelException($"{sourceName}: cannot tokenize \"{text}\": the tokens do not spell it back (a character outside the vocabulary?)");
        }

        return ids;
    }

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) =>
        GgufDecodeState.Start(this, prompts, promptOfRow);

    /// <summary>What a row starts from: the prompt, or for an empty prompt BOS (else EOS), since a decoder needs one token of context.</summary>
    internal int[] ContextOf(int[] prompt) => prompt.Length > 0 ? prompt : [_vocabulary.BosId ?? Vocabulary.EosId];

    public void Dispose()
    {
        Pool.Dispose();
        _weights.Dispose();
    }

    /// <summary>KV bytes per cached token at llama.cpp's default f16 cache: layers × (key + value widths) × 2 bytes.</summary>
    private static long KvBytesPerToken(GgufFile file, string architecture)
    {
        long Required(string key) => file.RequiredInteger($"{architecture}.{key}");
        var layers = Required("block_count");
        var heads = Required("attention.head_count");
        var kvHeads = file.Integer($"{architecture}.attention.head_count_kv") ?? heads;
        var keyWidth = file.Integer($"{architecture}.attention.key_length") ?? Required("embedding_length") / heads;
        var valueWidth = file.Integer($"{architecture}.attention.value_length") ?? keyWidth;
        return layers * kvHeads * (keyWidth + valueWidth) * 2;
    }
}
