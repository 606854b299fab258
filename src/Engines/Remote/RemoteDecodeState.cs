using System.Text.Json.Nodes;
using TorchSharp;
using Tts.Runtime.Models;

namespace Tts.Engines.Remote;

/// <summary>
/// The rows of a remote decode: token contexts on the client. <see cref="NextLogProbs(CancellationToken)"/> sends one
/// request per distinct live context that has no law yet, all at once (the client bounds how many are in flight), and
/// waits for all; cancellation aborts the requests in flight.
/// </summary>
internal sealed class RemoteDecodeState : IDecodeState
{
    private readonly RemoteLanguageModel _model;
    private RowContext[] _rows;

    public RemoteDecodeState(RemoteLanguageModel model, RowContext[] rows)
    {
        _model = model;
        _rows = rows;
    }

    public int Rows => _rows.Length;

    public torch.Tensor NextLogProbs() => NextLogProbs(CancellationToken.None);

    public torch.Tensor NextLogProbs(CancellationToken cancellation)
    {
        if (_model.SamplesOnServer)
        {
            // Declared: no FullDistribution in this mode, so no statement that needs it reaches here past the capability check.
            throw new RemoteException($"{_model.Client.Endpoint}: this model samples on the server (sampling=server) and gives no next-token distributions");
        }

        var vocabulary = _model.Vocabulary;
        var size = vocabulary.Count;
        var pending = _rows.Where(r => !r.Ended && r.Law is null).Select(r => r.Tokens).DistinctBy(t => string.Join(',', t)).ToList();
        if (pending.Count > 0)
        {
            // Tensor work stays on this thread (dispose scopes are per thread): only the HTTP work is asynchronous.
            var laws = Task.WhenAll(pending.Select(tokens => FetchAsync(tokens, size, cancellation))).GetAwaiter().GetResult();
            var byKey = new Dictionary<string, double[]>(StringComparer.Ordinal);
            for (var i = 0; i < pending.Count; i++)
            {
                byKey[string.Join(',', pending[i])] = laws[i];
            }

            _rows = _rows.Select(r => r.Ended || r.Law is not null ? r : r with { Law = byKey[r.Key] }).ToArray();
        }

        var values = new double[Rows * size];
        for (var row = 0; row < Rows; row++)
        {
            if (_rows[row].Law is { } law)
            {
                Array.Copy(law, 0, values, row * size, size);
            }
            else
            {
                // An ended row gets some valid law: EOS with probability 1.
                Array.Fill(values, double.NegativeInfinity, row * size, size);
                values[(row * size) + vocabulary.EosId] = 0.0;
            }
        }

        return torch.tensor(values, [Rows, size], torch.float64);
    }

    public void Append(torch.Tensor tokens, bool[]? hold = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = tokens.data<long>().ToArray();
        if (ids.Length != Rows)
        {
            throw new ArgumentException($"Expected {Rows} tokens, got {ids.Length}.", nameof(tokens));
        }

        var eos = _model.Vocabulary.EosId;
        for (var row = 0; row < Rows; row++)
        {
            var current = _rows[row];
            if (current.Ended || (hold is not null && hold[row]))
            {
                continue;
            }

            var id = ids[row];
            if (id < 0 || id >= _model.Vocabulary.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Row {row}: token id outside the vocabulary of {_model.Vocabulary.Count}.");
            }

            _rows[row] = id == eos ? current with { Ended = true, Law = null } : current.Append((int)id);
        }
    }

    public void Reorder(torch.Tensor rowIndices)
    {
        ArgumentNullException.ThrowIfNull(rowIndices);
        var indices = rowIndices.data<long>().ToArray();
        var rows = new RowContext[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            var source = indices[i];
            if (source < 0 || source >= Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rowIndices), source, $"New row {i} names an old row outside the {Rows} rows.");
            }

            rows[i] = _rows[source];
        }

        _rows = rows;
    }

    public IDecodeState Concat(IDecodeState other) => other is RemoteDecodeState remote && remote._model == _model
        ? new RemoteDecodeState(_model, [.. _rows, .. remote._rows])
        : throw new ArgumentException("Only states of the same remote model can be joined.", nameof(other));

    /// <summary>The tokens of <paramref name="row"/> so far (its prompt, or the empty context, then generated tokens).</summary>
    public int[] ContextOf(int row) => _rows[row].Tokens;

    /// <summary>Equal for rows with equal contexts.</summary>
    public string KeyOf(int row) => _rows[row].Key;

    public void Dispose()
    {
    }

    private async Task<double[]> FetchAsync(int[] tokens, int vocabularySize, CancellationToken cancellation)
    {
        JsonObject request = NextTokenLaw.Request(tokens, vocabularySize, SeedOf(tokens));
        var answer = await _model.Client.PostAsync("completions", request, cancellation).ConfigureAwait(false);
        return NextTokenLaw.Parse(answer, vocabularySize, $"{_model.Client.Endpoint} (a context of {tokens.Length} tokens)");
    }

    /// <summary>A seed fixed by the context (FNV-1a), so a request and its retries are the same request.</summary>
    private static long SeedOf(int[] tokens)
    {
        var hash = 14695981039346656037UL;
        foreach (var token in tokens)
        {
            hash = (hash ^ (uint)token) * 1099511628211UL;
        }

        return (long)(hash >> 33);
    }
}
