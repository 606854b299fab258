using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// A process reward model exported to GGUF (<c>tts export gguf REWARD_DIR OUT.gguf</c>) and run by llama.cpp: the
/// scalar head is row <see cref="LlamaGgufExporter.ScoreTokenKey"/> of the output matrix, so the score of a text is the
/// sigmoid of that token's logit at the text's last token — the same function as
/// <see cref="Runtime.Models.Transformer.TransformerRewardModel"/> (head · final-normed hidden state, sigmoid), computed
/// by llama.cpp with float32 keys and values and flash attention off. Texts are decoded as independent sequences, as
/// many per llama_decode as fit one batch.
/// </summary>
public sealed class GgufRewardModel : ITextScorer
{
    private const int SequencesPerBatch = 64;

    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly GgufVocabulary _vocabulary;
    private readonly int _scoreToken;
    private readonly int _trainingContext;

    private GgufRewardModel(string path, LLamaWeights weights, ModelParams parameters, GgufVocabulary vocabulary, int scoreToken, int trainingContext)
    {
        SourceName = path;
        _weights = weights;
        _parameters = parameters;
        _vocabulary = vocabulary;
        _scoreToken = scoreToken;
        _trainingContext = trainingContext;
    }

    public string SourceName { get; }

    /// <summary>Texts scored so far.</summary>
    public long TextsScored { get; private set; }

    public static GgufRewardModel Load(string path, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = GgufFile.Read(path);
        if (file.String("general.architecture") is not "llama")
        {
            throw new ModelException($"{path}: a GGUF reward model must have architecture 'llama' (as tts export gguf writes it)");
        }

        var scoreToken = file.Integer(LlamaGgufExporter.ScoreTokenKey)
                         ?? throw new ModelException($"{path}: not a reward model: no {LlamaGgufExporter.ScoreTokenKey} in the GGUF metadata (export a reward model directory with tts export gguf)");
        var vocabulary = GgufVocabulary.Read(file);
        var trainingContext = (int)file.RequiredInteger("llama.context_length");
        var batch = (uint)Math.Max(512, trainingContext);
        LlamaNativeLog.Install();
        var parameters = new ModelParams(path)
        {
            ContextSize = batch,
            SeqMax = SequencesPerBatch,
            BatchSize = batch,
            UBatchSize = batch,
            KVUnified = true,
            FlashAttention = false,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            Threads = threads ?? Environment.ProcessorCount,
            BatchThreads = threads ?? Environment.ProcessorCount,
        };
        return new GgufRewardModel(path, LlamaNativeLog.LoadWeights(path, parameters), parameters, vocabulary, (int)scoreToken, trainingContext);
    }

    /// <summary>One score in (0, 1) per text; an empty text is scored on EOS, as the TorchSharp reward model does.</summary>
    public double[] Score(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = texts.Select(Encode).ToList();
        var scores = new double[texts.Count];
        var start = 0;
        while (start < encoded.Count)
        {
            // As many texts as fit one llama_decode: every text is a fresh sequence, its KV cells freed after the batch.
            var (end, tokens) = (start, 0);
            while (end < encoded.Count && end - start < SequencesPerBatch && tokens + encoded[end].Length <= _parameters.BatchSize)
            {
                tokens += encoded[end++].Length;
            }

            using var executor = new BatchedExecutor(_weights, _parameters);
            var conversations = new List<Conversation>();
            try
            {
                for (var i = start; i < end; i++)
                {
                    var conversation = executor.Create();
                    conversations.Add(conversation);
                    conversation.Prompt(Array.ConvertAll(encoded[i], id => (LLamaToken)id));
                }

                var result = executor.Infer().GetAwaiter().GetResult();
                if (result != DecodeResult.Ok)
                {
                    throw LlamaNativeLog.Failure($"{SourceName}: llama.cpp failed to score {end - start} texts ({result})");
                }

                for (var i = start; i < end; i++)
                {
                    var logit = (double)conversations[i - start].Sample()[_scoreToken];
                    scores[i] = 1.0 / (1.0 + Math.Exp(-logit));
                }
            }
            finally
            {
                conversations.ForEach(c => c.Dispose());
            }

            start = end;
        }

        TextsScored += texts.Count;
        return scores;
    }

    public void Dispose() => _weights.Dispose();

    private int[] Encode(string text)
    {
        if (text.Length == 0)
        {
            return [_vocabulary.Vocabulary.EosId];
        }

        var ids = GgufModel.Tokenize(_weights, _vocabulary, text, SourceName);
        return ids.Length <= _trainingContext
            ? ids
            : throw new ModelException($"{SourceName}: a text of {ids.Length} tokens is longer than the model's context of {_trainingContext}");
    }
}
