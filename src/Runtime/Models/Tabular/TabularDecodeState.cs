using TorchSharp;

namespace Tts.Runtime.Models.Tabular;

/// <summary>
/// Per-row token histories kept in C#; <see cref="NextLogProbs"/> assembles the [Rows, V]
/// tensor from log rows cached on the history nodes.
/// </summary>
internal sealed class TabularDecodeState : IDecodeState
{
    private readonly TabularModel _model;
    private TokenHistory[] _histories;
    private int[] _generatedCounts;
    private bool[] _ended;
    private bool _disposed;

    public TabularDecodeState(TabularModel model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(promptOfRow);
        _model = model;

        // Each distinct prompt becomes one shared history ("prefilled once").
        var prefilled = new TokenHistory[prompts.Count];
        for (var p = 0; p < prompts.Count; p++)
        {
            var history = TokenHistory.CreateRoot();
            foreach (var id in prompts[p] ?? throw new ArgumentException($"Prompt {p} is null.", nameof(prompts)))
            {
                model.ValidateContextToken(id, nameof(prompts));
                history = history.Append(id);
            }

            prefilled[p] = history;
        }

        _histories = new TokenHistory[promptOfRow.Count];
        for (var r = 0; r < _histories.Length; r++)
        {
            var prompt = promptOfRow[r];
            if (prompt < 0 || prompt >= prompts.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(promptOfRow), prompt, $"Row {r} names a prompt outside the {prompts.Count} given.");
            }

            _histories[r] = prefilled[prompt];
        }

        _generatedCounts = new int[_histories.Length];
        _ended = new bool[_histories.Length];
    }

    private TabularDecodeState(TabularModel model, TokenHistory[] histories, int[] generatedCounts, bool[] ended)
    {
        _model = model;
        _histories = histories;
        _generatedCounts = generatedCounts;
        _ended = ended;
    }

    public int Rows => _histories.Length;

    public torch.Tensor NextLogProbs()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var vocabularySize = _model.Vocabulary.Count;
        var values = new double[Rows * vocabularySize];
        for (var r = 0; r < Rows; r++)
        {
            var row = _ended[r] || _generatedCounts[r] >= _model.MaxTokens
                ? _model.ForcedEosLogRow
                : _model.LogRowFor(_histories[r]);
            Array.Copy(row, 0, values, r * vocabularySize, vocabularySize);
        }

        return torch.tensor(values, [Rows, vocabularySize], torch.float64);
    }

    public void Append(torch.Tensor tokens, bool[]? hold = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ids = RowVector.Read(tokens, nameof(tokens), Rows);
        var eosId = _model.Vocabulary.EosId;
        for (var r = 0; r < Rows; r++)
        {
            if (_ended[r] || (hold is not null && hold[r]))
            {
                continue;
            }

            var id = ids[r];
            if (id < 0 || id >= _model.Vocabulary.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Row {r}: token id outside the vocabulary of {_model.Vocabulary.Count}.");
            }

            if (id == eosId)
            {
                _ended[r] = true;
                continue;
            }

            _histories[r] = _histories[r].Append((int)id);
            _generatedCounts[r]++;
        }
    }

    public void Reorder(torch.Tensor rowIndices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var indices = RowVector.Read(rowIndices, nameof(rowIndices), expectedLength: null);
        var histories = new TokenHistory[indices.Length];
        var generatedCounts = new int[indices.Length];
        var ended = new bool[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var source = indices[i];
            if (source < 0 || source >= Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rowIndices), source, $"New row {i} names an old row outside the {Rows} rows.");
            }

            histories[i] = _histories[source];
            generatedCounts[i] = _generatedCounts[source];
            ended[i] = _ended[source];
        }

        _histories = histories;
        _generatedCounts = generatedCounts;
        _ended = ended;
    }

    public IDecodeState Concat(IDecodeState other)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tabular = ConcatPartner.Check<TabularDecodeState>(other, state => ReferenceEquals(state._model, _model), state => state._disposed);

        // Histories are immutable and shared, so joining the arrays is the whole copy.
        return new TabularDecodeState(
            _model, [.. _histories, .. tabular._histories], [.. _generatedCounts, .. tabular._generatedCounts], [.. _ended, .. tabular._ended]);
    }

    public IDecodeState CopyRows(torch.Tensor rowIndices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var copy = new TabularDecodeState(_model, _histories, _generatedCounts, _ended);
        copy.Reorder(rowIndices);
        return copy;
    }

    public bool TryWriteRows(torch.Tensor rowIndices, IDecodeState source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (source is not TabularDecodeState tabular || !ReferenceEquals(tabular._model, _model) || tabular._disposed)
        {
            return false;
        }

        var indices = RowVector.ReadWriteTargets(rowIndices, tabular.Rows, Rows);

        for (var i = 0; i < indices.Length; i++)
        {
            _histories[indices[i]] = tabular._histories[i];
            _generatedCounts[indices[i]] = tabular._generatedCounts[i];
            _ended[indices[i]] = tabular._ended[i];
        }

        return true;
    }

    public void Dispose() => _disposed = true;
}
