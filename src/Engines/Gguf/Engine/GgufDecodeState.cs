using LLama.Batched;
using LLama.Native;
using TorchSharp;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// The rows being decoded by a <see cref="GgufModel"/>: one llama.cpp conversation (sequence) per row, the float32
/// logits of each row's next token, and each row's length. Reorder and Concat keep a row's conversation for one copy
/// and copy it for the others (a fork with shared KV cells in its own context while that has room, else its KV state
/// copied into another context; never a recompute); rows nobody keeps free their sequence.
/// </summary>
internal sealed class GgufDecodeState : IDecodeState
{
    private readonly GgufModel _model;
    private List<Conversation> _rows;
    private float[] _logits; // [rows * vocab]
    private bool[] _ended;
    private int[] _lengths; // tokens in each row's sequence: the position of its next token
    private bool _disposed;

    private GgufDecodeState(GgufModel model, List<Conversation> rows, float[] logits, bool[] ended, int[] lengths)
    {
        _model = model;
        _rows = rows;
        _logits = logits;
        _ended = ended;
        _lengths = lengths;
    }

    public int Rows => _rows.Count;

    private int V => _model.Vocabulary.Count;

    public static GgufDecodeState Start(GgufModel model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(promptOfRow);
        if (prompts.Count == 0)
        {
            throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        }

        var contexts = new int[prompts.Count][];
        for (var p = 0; p < prompts.Count; p++)
        {
            contexts[p] = model.ContextOf(prompts[p] ?? throw new ArgumentException($"Prompt {p} is null.", nameof(prompts)));
            foreach (var id in contexts[p])
            {
                if (id < 0 || id >= model.Vocabulary.Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(prompts), id, $"Prompt {p}: token id outside the vocabulary of {model.Vocabulary.Count}.");
                }
            }

            if (contexts[p].Length >= model.TrainingContext)
            {
                throw new ModelException($"{model.SourceName}: a prompt of {contexts[p].Length} tokens leaves no room below the context length {model.TrainingContext}");
            }
        }

        foreach (var (p, r) in promptOfRow.Select((p, r) => (p, r)))
        {
            if (p < 0 || p >= prompts.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(promptOfRow), p, $"Row {r} names a prompt outside the {prompts.Count} given.");
            }
        }

        lock (model.Gate)
        {
            var promptConversations = new Conversation?[prompts.Count];
            var promptLogits = new float[prompts.Count][];
            var rows = new List<Conversation>(promptOfRow.Count);
            try
            {
                var rowsOfPrompt = new int[prompts.Count];
                foreach (var p in promptOfRow)
                {
                    rowsOfPrompt[p]++;
                }

                Prefill(model, contexts, rowsOfPrompt, promptConversations, promptLogits);
                var copies = new Queue<Conversation>?[prompts.Count];
                var logits = new float[promptOfRow.Count * model.Vocabulary.Count];
                for (var r = 0; r < promptOfRow.Count; r++)
                {
                    // A prompt's own sequence becomes its first row; its other rows are copies (forks where there is room).
                    var p = promptOfRow[r];
                    copies[p] ??= new Queue<Conversation>(model.Pool.Copies(promptConversations[p]!, rowsOfPrompt[p] - 1));
                    rows.Add(copies[p]!.TryDequeue(out var copy) ? copy : promptConversations[p]!);
                    promptLogits[p].CopyTo(logits, r * model.Vocabulary.Count);
                }

                return new GgufDecodeState(model, rows, logits, new bool[rows.Count], promptOfRow.Select(p => contexts[p].Length).ToArray());
            }
            catch
            {
                foreach (var conversation in rows.Concat(promptConversations.OfType<Conversation>()))
                {
                    model.Pool.Release(conversation);
                }

                throw;
            }
        }
    }

    public torch.Tensor NextLogProbs()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = new double[_logits.Length];
        var unused = _model.Unused;
        for (var r = 0; r < Rows; r++)
        {
            var full = _lengths[r] >= _model.TrainingContext;
            for (var v = 0; v < V; v++)
            {
                // A row whose next token would sit at the context length must end: EOS with probability 1.
                values[r * V + v] = full ? (v == _model.Vocabulary.EosId ? 0 : double.NegativeInfinity)
                    : unused[v] ? double.NegativeInfinity
                    : _logits[r * V + v];
            }
        }

        using var scope = torch.NewDisposeScope();
        return torch.tensor(values, [Rows, V], torch.ScalarType.Float64).log_softmax(1).MoveToOuterDisposeScope();
    }

    public void Append(torch.Tensor tokens, bool[]? hold = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ids = ReadRows(tokens, nameof(tokens), Rows);
        var advancing = new List<int>();
        for (var r = 0; r < Rows; r++)
        {
            if (_ended[r] || (hold is not null && hold[r]))
            {
                continue;
            }

            if (ids[r] < 0 || ids[r] >= V)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), ids[r], $"Row {r}: token id outside the vocabulary of {V}.");
            }

            _ended[r] = ids[r] == _model.Vocabulary.EosId;
            if (!_ended[r])
            {
                advancing.Add(r);
            }
        }

        if (advancing.Count == 0)
        {
            return;
        }

        lock (_model.Gate)
        {
            foreach (var r in advancing)
            {
                _rows[r].Prompt((LLamaToken)(int)ids[r]);
            }

            _model.Pool.InferWaiting("a decode step");
            foreach (var r in advancing)
            {
                _rows[r].Sample().CopyTo(_logits.AsSpan(r * V, V));
                _lengths[r]++;
            }
        }
    }

    public void Reorder(torch.Tensor rowIndices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var indices = ReadRows(rowIndices, nameof(rowIndices), expectedLength: null);
        foreach (var (source, i) in indices.Select((source, i) => (source, i)))
        {
            if (source < 0 || source >= Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rowIndices), source, $"New row {i} names an old row outside the {Rows} rows.");
            }
        }

        lock (_model.Gate)
        {
            var copies = new int[Rows];
            foreach (var source in indices)
            {
                copies[source]++;
            }

            // Free first, so that a resample at full population never needs more sequences than it ends with.
            for (var r = 0; r < Rows; r++)
            {
                if (copies[r] == 0)
                {
                    _model.Pool.Release(_rows[r]);
                }
            }

            var copiesOf = new Queue<Conversation>?[Rows];
            var rows = new List<Conversation>(indices.Length);
            foreach (var source in indices)
            {
                // One new row keeps the old row's sequence; the others are copies of it.
                copiesOf[source] ??= new Queue<Conversation>(_model.Pool.Copies(_rows[(int)source], copies[source] - 1));
                rows.Add(copiesOf[source]!.TryDequeue(out var copy) ? copy : _rows[(int)source]);
            }

            _logits = Gather(_logits, indices, V);
            _ended = Array.ConvertAll(indices, i => _ended[i]);
            _lengths = Array.ConvertAll(indices, i => _lengths[i]);
            _rows = rows;
        }
    }

    public IDecodeState Concat(IDecodeState other)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(other);
        if (other is not GgufDecodeState state || !ReferenceEquals(state._model, _model))
        {
            throw new ArgumentException("Only states of the same model can be concatenated.", nameof(other));
        }

        ObjectDisposedException.ThrowIf(state._disposed, state);
        lock (_model.Gate)
        {
            var rows = _rows.Concat(state._rows).SelectMany(c => _model.Pool.Copies(c, 1)).ToList();
            return new GgufDecodeState(_model, rows, [.. _logits, .. state._logits], [.. _ended, .. state._ended], [.. _lengths, .. state._lengths]);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_model.Gate)
        {
            foreach (var conversation in _rows)
            {
                _model.Pool.Release(conversation);
            }

            _rows.Clear();
        }
    }

    /// <summary>
    /// Each used prompt once, in the context with room for its rows, several per llama_decode while they fit a batch;
    /// a prompt longer than a batch goes in batch-sized pieces. Each prompt's last logits are copied out before the
    /// next decode of its context overwrites them.
    /// </summary>
    private static void Prefill(GgufModel model, int[][] contexts, int[] rowsOfPrompt, Conversation?[] conversations, float[][] logits)
    {
        var pending = new Dictionary<BatchedExecutor, (List<int> Prompts, int Queued)>();
        for (var p = 0; p < contexts.Length; p++)
        {
            if (rowsOfPrompt[p] == 0)
            {
                continue;
            }

            var conversation = conversations[p] = model.Pool.Create(room: rowsOfPrompt[p]);
            var context = conversation.Executor;
            var tokens = Array.ConvertAll(contexts[p], id => (LLamaToken)id);
            var (waiting, queued) = pending.TryGetValue(context, out var entry) ? entry : ([], 0);
            if (queued + tokens.Length > model.BatchTokens && waiting.Count > 0)
            {
                Flush(model, context, waiting, conversations, logits);
                queued = 0;
            }

            for (var start = 0; start < tokens.Length; start += model.BatchTokens)
            {
                var piece = Math.Min(model.BatchTokens, tokens.Length - start);
                conversation.Prompt(tokens.AsSpan(start, piece));
                queued += piece;
                if (start + piece < tokens.Length)
                {
                    model.Pool.Infer(context, "a prompt");
                    queued = 0;
                }
            }

            waiting.Add(p);
            pending[context] = (waiting, queued);
        }

        foreach (var (context, (waiting, _)) in pending)
        {
            Flush(model, context, waiting, conversations, logits);
        }
    }

    private static void Flush(GgufModel model, BatchedExecutor context, List<int> waiting, Conversation?[] conversations, float[][] logits)
    {
        model.Pool.Infer(context, "a prompt");
        foreach (var p in waiting)
        {
            logits[p] = conversations[p]!.Sample().ToArray();
        }

        waiting.Clear();
    }

    private static float[] Gather(float[] values, long[] indices, int width)
    {
        var result = new float[indices.Length * width];
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(values, indices[i] * width, result, (long)i * width, width);
        }

        return result;
    }

    private static long[] ReadRows(torch.Tensor tensor, string parameterName, int? expectedLength)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameterName);
        if (tensor.dtype != torch.int64 || tensor.dim() != 1 || (expectedLength is { } length && tensor.shape[0] != length))
        {
            throw new ArgumentException($"Expected an int64 tensor of shape [{expectedLength?.ToString() ?? "rows"}], got {tensor.dtype} of shape [{string.Join(", ", tensor.shape)}].", parameterName);
        }

        using var onCpu = tensor.device_type == DeviceType.CPU ? null : tensor.cpu();
        using var contiguous = (onCpu ?? tensor).contiguous();
        return contiguous.data<long>().ToArray();
    }
}
