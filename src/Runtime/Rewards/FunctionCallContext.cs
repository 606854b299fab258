using Tts.Runtime.Execution;

namespace Tts.Runtime.Rewards;

/// <summary>
/// Which run each text of the current reward, verifier or extractor call belongs to: its index as
/// <see cref="RunResult.Run"/> numbers it (FirstRun + i for run i of the runs asked for, whatever batch it runs in;
/// a repeat member's or refine round's texts belong to the run that holds them). The runtime sets it around every
/// batched call, so that functions which depend on the run's question (a process reward, an oracle checker) can find
/// it without changing the text-only interfaces. A batch may hold any subset of a population's particles (e.g. only
/// those of an SMC step), so this is the only reliable mapping.
/// </summary>
public static class FunctionCallContext
{
    [ThreadStatic]
    private static IReadOnlyList<int>? _runOfText;

    /// <summary>The run of text <paramref name="text"/> of the call in progress.</summary>
    public static int RunOf(int text) =>
        _runOfText is { } runs
            ? runs[text]
            : throw new RuntimeException("this function needs to know the run of each text, but it was called outside a batched run");

    /// <summary>Sets the runs of the texts of one call, until the result is disposed.</summary>
    public static IDisposable Enter(IReadOnlyList<int> runOfText)
    {
        var previous = _runOfText;
        _runOfText = runOfText;
        return new Restore(previous);
    }

    private sealed class Restore(IReadOnlyList<int>? previous) : IDisposable
    {
        public void Dispose() => _runOfText = previous;
    }
}
