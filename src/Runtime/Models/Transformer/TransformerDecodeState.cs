using TorchSharp;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// The rows being decoded by a <see cref="TransformerModel"/>: a <see cref="KvCache"/> (prompts prefilled once,
/// per-row generated suffixes) and the logits of each row's next token. <see cref="Append"/> runs one batched
/// decode step; <see cref="Reorder"/> gathers rows.
/// </summary>
internal sealed class TransformerDecodeState : IDecodeState
{
    private readonly TransformerModel _model;
    private readonly KvCache _cache;
    private Tensor _logits; // [rows, vocab] float32, the next-token logits of each row
    private bool[] _ended;
    private bool _disposed;

    public TransformerDecodeState(TransformerModel model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(promptOfRow);
        _model = model;
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

            if (contexts[p].Length >= model.Config.MaxPositionEmbeddings)
            {
                throw new ModelException(
                    $"{model.SourceName}: a prompt of {contexts[p].Length} tokens leaves no room below max_position_embeddings {model.Config.MaxPositionEmbeddings}");
            }
        }

        var rowPrompts = new int[promptOfRow.Count];
        for (var r = 0; r < rowPrompts.Length; r++)
        {
            rowPrompts[r] = promptOfRow[r] >= 0 && promptOfRow[r] < prompts.Count
                ? promptOfRow[r]
                : throw new ArgumentOutOfRangeException(nameof(promptOfRow), promptOfRow[r], $"Row {r} names a prompt outside the {prompts.Count} given.");
        }

        if (prompts.Count == 0)
        {
            throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        }

        var lengths = contexts.Select(c => c.Length).ToArray();
        _cache = new KvCache(model.Config, model.Device, model.Network.DType, model.Options.MaxKvCacheBytes, lengths, rowPrompts);
        try
        {
            using var scope = torch.NewDisposeScope();
            var longest = lengths.Max();
            var padded = new long[contexts.Length * longest];
            for (var p = 0; p < contexts.Length; p++)
            {
                for (var t = 0; t < contexts[p].Length; t++)
                {
                    padded[p * longest + t] = contexts[p][t];
                }
            }

            // Each distinct prompt once; its last logits are then gathered to the rows that continue it.
            var promptLogits = model.Network.Prefill(torch.tensor(padded, [contexts.Length, longest], device: model.Device), lengths, _cache);
            var rowIndex = torch.tensor(Array.ConvertAll(rowPrompts, p => (long)p), device: model.Device);
            _logits = promptLogits.index_select(0, rowIndex).DetachFromDisposeScope();
        }
        catch
        {
            _cache.Dispose();
            throw;
        }

        _ended = new bool[rowPrompts.Length];
    }

    private TransformerDecodeState(TransformerModel model, KvCache cache, Tensor logits, bool[] ended)
    {
        _model = model;
        _cache = cache;
        _logits = logits;
        _ended = ended;
    }

    public int Rows => _cache.Rows;

    /// <summary>The KV cache (benchmarks check its allocated bytes against the configuration's prediction).</summary>
    internal KvCache Cache => _cache;

    public Tensor NextLogProbs()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = torch.NewDisposeScope();
        var logProbs = HostLogSoftmax.Applies(_logits)
            ? HostLogSoftmax.Compute(_logits, _model.UnassignedIdList, torch.get_num_threads())
            : DeviceLogSoftmax(_logits);

        // A row whose next token would sit at max_position_embeddings must end: EOS with probability 1.
        var full = new bool[Rows];
        var anyFull = false;
        for (var r = 0; r < Rows; r++)
        {
            full[r] = _cache.PromptLengths[_cache.PromptOfRow[r]] + _cache.SuffixLengths[r] >= _model.Config.MaxPositionEmbeddings;
            anyFull |= full[r];
        }

        if (anyFull)
        {
            var eosOnly = torch.full([1, _model.Vocabulary.Count], double.NegativeInfinity, ScalarType.Float64, _model.Device);
            eosOnly[0, _model.Vocabulary.EosId] = 0.0;
            logProbs = torch.where(torch.tensor(full, device: _model.Device).unsqueeze(1), eosOnly, logProbs);
        }

        return logProbs.MoveToOuterDisposeScope();
    }

    /// <summary>Float64 log-probabilities by libtorch ops (GPUs), in the caller's dispose scope.</summary>
    private Tensor DeviceLogSoftmax(Tensor logits)
    {
        logits = logits.to(ScalarType.Float64);
        if (_model.UnassignedIds is { } unassigned)
        {
            logits = logits.masked_fill(unassigned.unsqueeze(0), Scalars.NegativeInfinity);
        }

        return logits.log_softmax(1);
    }

    public void Append(Tensor tokens, bool[]? hold = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ids = RowVector.Read(tokens, nameof(tokens), Rows);
        var advance = new bool[Rows];
        var eos = _model.Vocabulary.EosId;
        for (var r = 0; r < Rows; r++)
        {
            if (_ended[r] || (hold is not null && hold[r]))
            {
                // Ended and held rows may carry any value; they run as EOS and do not grow.
                ids[r] = eos;
                continue;
            }

            if (ids[r] < 0 || ids[r] >= _model.Vocabulary.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), ids[r], $"Row {r}: token id outside the vocabulary of {_model.Vocabulary.Count}.");
            }

            _ended[r] = ids[r] == eos;
            advance[r] = !_ended[r];
        }

        if (!advance.Any(a => a))
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        var logits = _model.Network.DecodeStep(ids, _cache, advance);
        if (hold is not null && hold.Any(h => h))
        {
            // A held row's next-token law is the one it had: the step computed garbage for it.
            logits = torch.where(torch.tensor(hold, device: _model.Device).unsqueeze(1), _logits, logits);
        }

        _logits.Dispose();
        _logits = logits.DetachFromDisposeScope();
    }

    public void Reorder(Tensor rowIndices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var indices = CheckedRows(rowIndices);
        using var scope = torch.NewDisposeScope();
        var onDevice = torch.tensor(indices, device: _model.Device);
        _cache.Reorder(indices, onDevice);
        var logits = _logits.index_select(0, onDevice).DetachFromDisposeScope();
        _logits.Dispose();
        _logits = logits;
        _ended = Array.ConvertAll(indices, i => _ended[i]);
    }

    /// <summary>Row indices naming rows of this state.</summary>
    private long[] CheckedRows(Tensor rowIndices)
    {
        var indices = RowVector.Read(rowIndices, nameof(rowIndices), expectedLength: null);
        foreach (var (source, i) in indices.Select((source, i) => (source, i)))
        {
            if (source < 0 || source >= Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rowIndices), source, $"New row {i} names an old row outside the {Rows} rows.");
            }
        }

        return indices;
    }

    public IDecodeState Concat(IDecodeState other)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var transformer = ConcatPartner.Check<TransformerDecodeState>(other, state => ReferenceEquals(state._model, _model), state => state._disposed);
        var cache = KvCache.Concat(_cache, transformer._cache);
        try
        {
            using var scope = torch.NewDisposeScope();
            var logits = torch.cat([_logits, transformer._logits], 0).DetachFromDisposeScope();
            return new TransformerDecodeState(_model, cache, logits, [.. _ended, .. transformer._ended]);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public IDecodeState CopyRows(Tensor rowIndices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var indices = CheckedRows(rowIndices);
        using var scope = torch.NewDisposeScope();
        var onDevice = torch.tensor(indices, device: _model.Device);
        var cache = _cache.CopyRows(indices, onDevice);
        try
        {
            var logits = _logits.index_select(0, onDevice).DetachFromDisposeScope();
            return new TransformerDecodeState(_model, cache, logits, Array.ConvertAll(indices, i => _ended[i]));
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public bool TryWriteRows(Tensor rowIndices, IDecodeState source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (source is not TransformerDecodeState transformer || !ReferenceEquals(transformer._model, _model) || transformer._disposed)
        {
            return false;
        }

        var indices = RowVector.ReadWriteTargets(rowIndices, transformer.Rows, Rows);

        using var scope = torch.NewDisposeScope();
        var onDevice = torch.tensor(indices, device: _model.Device);
        if (!_cache.TryWriteRows(indices, onDevice, transformer._cache))
        {
            return false;
        }

        _logits.index_copy_(0, onDevice, transformer._logits);
        for (var i = 0; i < indices.Length; i++)
        {
            _ended[indices[i]] = transformer._ended[i];
        }

        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _logits.Dispose();
        _cache.Dispose();
    }
}
