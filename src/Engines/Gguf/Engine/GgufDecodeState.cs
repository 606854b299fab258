using LLama.Batched;
using LLama.Native;
using TorchSharp;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// The rows being decoded by a <see cref="GgufModel"/>: one llama.cpp conversation (sequence) per row, the float32
/// logits of each row's next token, and each row's length. Reorder and Concat keep a row's conversation for its first
/// copy and fork it (shared KV cells, no recompute) for further copies; rows nobody keeps free their sequence.
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
        model.LiveSequences += rows.Count;
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
            var used = contexts.Where((_, p) => promptOfRow.Contains(p)).ToList();
            // A prompt's own sequence becomes its first row, so the peak is one sequence per row.
            RequireSequences(model, promptOfRow.Count);
            var cells = used.Sum(c => (long)c.Length) + promptOfRow.Count;
            if (cells > model.ContextTokens)
            {
                throw new ModelException($"{model.SourceName}: {used.Count} prompts and {promptOfRow.Count} rows need at least {cells} KV cells; the context holds {model.ContextTokens}");
            }

            var promptConversations = new Conversation?[prompts.Count];
            var promptLogits = new float[prompts.Count][];
            try
            {
                Prefill(model, contexts, promptOfRow, promptConversations, promptLogits);
                var rows = new List<Conversation>(promptOfRow.Count);
                var taken = new bool[prompts.Count];
                var logits = new float[promptOfRow.Count * model.Vocabulary.Count];
                for (var r = 0; r < promptOfRow.Count; r++)
                {
                    var p = promptOfRow[r];
                    rows.Add(taken[p] ? promptConversations[p]!.Fork() : promptConversations[p]!);
                    taken[p] = true;
                    promptLogits[p].CopyTo(logits, r * model.Vocabulary.Count);
                }

                return new GgufDecodeState(model, rows, logits, new bool[rows.Count], promptOfRow.Select(p => contexts[p].Length).ToArray());
            }
            catch
            {
                foreach (var conversation in promptConversations)
                {
                    conversation?.Dispose();
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

            Infer(_model, "a decode step");
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
            var kept = new bool[Rows];
            foreach (var source in indices)
            {
                kept[source] = true;
            }

            // Free first, so that a resample at full population never needs more sequences than it ends with.
            for (var r = 0; r < Rows; r++)
            {
                if (!kept[r])
                {
                    _rows[r].Dispose();
                }
            }

            _model.LiveSequences -= kept.Count(k => !k);
            RequireSequences(_model, indices.Length - kept.Count(k => k));
            var taken = new bool[Rows];
            var rows = new List<Conversation>(indices.Length);
            foreach (var source in indices)
            {
                rows.Add(taken[source] ? _rows[(int)source].Fork() : _rows[(int)source]);
                taken[source] = true;
            }

            _model.LiveSequences += indices.Length - kept.Count(k => k);
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
            RequireSequences(_model, Rows + state.Rows);
            var rows = _rows.Concat(state._rows).Select(c => c.Fork()).ToList();
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
                conversation.Dispose();
            }

            _model.LiveSequences -= _rows.Count;
            _rows.Clear();
        }
    }

    /// <summary>
    /// Each used prompt once, several per llama_decode while they fit a batch; a prompt longer than a batch goes in
    /// batch-sized pieces. Each prompt's last logits are copied out before the next decode overwrites them.
    /// </summary>
    private static void Prefill(GgufModel model, int[][] contexts, IReadOnlyList<int> promptOfRow, Conversation?[] conversations, float[][] logits)
    {
        var pending = new List<int>();
        var queued = 0;
        for (var p = 0; p < contexts.Length; p++)
        {
            if (!promptOfRow.Contains(p))
            {
                continue;
            }

            conversations[p] = model.Executor.Create();
            var tokens = Array.ConvertAll(contexts[p], id => (LLamaToken)id);
            if (queued + tokens.Length > model.BatchTokens && pending.Count > 0)
            {
                Flush(model, pending, conversations, logits);
                queued = 0;
            }

            for (var start = 0; start < tokens.Length; start += model.BatchTokens)
            {
                var piece = Math.Min(model.BatchTokens, tokens.Length - start);
                conversations[p]!.Prompt(tokens.AsSpan(start, piece));
                queued += piece;
                if (start + piece < tokens.Length)
                {
                    Infer(model, "a prompt");
                    queued = 0;
                }
            }

            pending.Add(p);
        }

        Flush(model, pending, conversations, logits);
    }

    private static void Flush(GgufModel model, List<int> pending, Conversation?[] conversations, float[][] logits)
    {
        Infer(model, "a prompt");
        foreach (var p in pending)
        {
            logits[p] = conversations[p]!.Sample().ToArray();
        }

        pending.Clear();
    }

    private static void Infer(GgufModel model, string what)
    {
        var result = model.Executor.Infer().GetAwaiter().GetResult();
        model.DecodeCalls++;
        if (result != DecodeResult.Ok)
        {
            throw new ModelException(result == DecodeResult.NoKvSlot
                ? $"{model.SourceName}: the KV cache of {model.ContextTokens} tokens is full while decoding {what}: use a larger context or fewer particles"
                : $"{model.SourceName}: llama.cpp failed to decode {what} ({result})" + (LlamaNativeLog.LastError() is { } error ? $": {error}" : ""));
        }
    }

    private static void RequireSequences(GgufModel model, int more)
    {
        if (model.LiveSequences + more > model.Sequences)
        {
            throw new ModelException(
                $"{model.SourceName}: {model.LiveSequences + more} llama.cpp sequences are needed but the context was made for {model.Sequences}: "
                + "run fewer particles at once (tts eval --batch-particles, tts run --samples)");
        }
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
