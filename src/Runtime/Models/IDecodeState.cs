using TorchSharp;

namespace Tts.Runtime.Models;

/// <summary>The rows (particles) being decoded by a model, with whatever state the model keeps per row.</summary>
public interface IDecodeState : IDisposable
{
    int Rows { get; }

    /// <summary>
    /// [Rows, V] float64 log-probabilities of the next token (−∞ = impossible). The caller owns and
    /// disposes the tensor. A row that already ended gets some valid row (the model chooses).
    /// </summary>
    torch.Tensor NextLogProbs();

    /// <summary>
    /// <see cref="NextLogProbs()"/>, abandoned when <paramref name="cancellation"/> fires: a backend that waits (a remote
    /// server) cancels its requests in flight; an in-process backend computes as usual.
    /// </summary>
    torch.Tensor NextLogProbs(CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        return NextLogProbs();
    }

    /// <summary>
    /// Appends [Rows] int64 tokens, one per row. Rows that already ended may get any value; the
    /// model ignores them rather than throwing. Rows where <paramref name="hold"/> is true (when given) are left
    /// exactly as they are, next-token law included, whatever their token: a search step that extends some
    /// particles only, or a step some particles sit out.
    /// </summary>
    void Append(torch.Tensor tokens, bool[]? hold = null);

    /// <summary>
    /// [Rows'] int64: new row i is old row <c>rowIndices[i]</c>. Resample, prune and fork are all
    /// such gathers; <see cref="Rows"/> becomes Rows'.
    /// </summary>
    void Reorder(torch.Tensor rowIndices);

    /// <summary>
    /// A new state whose rows are this state's rows followed by <paramref name="other"/>'s, each continuing
    /// exactly as it would in its own state. Both states must come from the same model; they are left as they
    /// are (still usable, still owned by the caller), and the new state owns its own copy of what it needs.
    /// </summary>
    IDecodeState Concat(IDecodeState other);

    /// <summary>
    /// A new state holding copies of rows <paramref name="rowIndices"/> ([Rows'] int64: new row i continues exactly as
    /// row <c>rowIndices[i]</c>); this one is left as it is. The default copies every row first (<see cref="Concat"/>
    /// with itself, then <see cref="Reorder"/>); a state that can copy only the rows named overrides it, so that a copy
    /// of a few rows costs those rows, not the whole state (a tree search copies one node per simulation).
    /// </summary>
    IDecodeState CopyRows(torch.Tensor rowIndices)
    {
        var copy = Concat(this);
        try
        {
            copy.Reorder(rowIndices);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Overwrites, in place, row <c>rowIndices[i]</c> of this state with row i of <paramref name="source"/>, each then
    /// continuing exactly as the source row would, and returns true; returns false, changing nothing, when this state
    /// cannot (the default, or a source it cannot write from), and the caller rebuilds it with <see cref="Concat"/> and
    /// <see cref="Reorder"/>. The source is left as it is.
    /// </summary>
    bool TryWriteRows(torch.Tensor rowIndices, IDecodeState source) => false;
}
