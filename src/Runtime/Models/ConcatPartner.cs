namespace Tts.Runtime.Models;

/// <summary>The checks every <see cref="IDecodeState.Concat"/> makes on the state it is given.</summary>
internal static class ConcatPartner
{
    /// <summary>
    /// <paramref name="other"/> as a <typeparamref name="TState"/> of the same model as the caller
    /// (<paramref name="sameModel"/>) that is not disposed (<paramref name="isDisposed"/>); throws otherwise.
    /// </summary>
    public static TState Check<TState>(IDecodeState other, Func<TState, bool> sameModel, Func<TState, bool> isDisposed)
        where TState : class, IDecodeState
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not TState state || !sameModel(state))
        {
            throw new ArgumentException("Only states of the same model can be concatenated.", nameof(other));
        }

        ObjectDisposedException.ThrowIf(isDisposed(state), state);
        return state;
    }
}
