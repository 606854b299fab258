using System.Globalization;

namespace Tts.Runtime.Execution;

/// <summary>
/// A value of a strategy for a whole batch of runs, as both back ends hand it to <see cref="StrategyRuntime"/>: one
/// value per run (<see cref="RunValues"/>), one per particle of a population (<see cref="ParticleValues"/>), or a
/// population itself. Elements are the language's values: <c>long</c> (int), <c>double</c> (real, Score, Prob,
/// LogWeight), <c>bool</c>, <c>string</c> (text) and <c>object[]</c> of strings (a list of text).
/// </summary>
public abstract class BatchValue
{
    private protected BatchValue()
    {
    }
}

/// <summary>One value per run of the batch; null: the run has no value (e.g. a rejection sampler that accepted nothing).</summary>
public sealed class RunValues(object?[] perRun) : BatchValue
{
    public object?[] PerRun { get; } = perRun;

    public int Count => PerRun.Length;

    public object? this[int run] => PerRun[run];

    /// <summary>Run <paramref name="run"/>'s value as an int; <paramref name="what"/> names it in the error.</summary>
    public long Int(int run, string what) => PerRun[run] switch
    {
        long value => value,
        null => throw new RuntimeException($"'{what}' has no value in run {run}"),
        var other => throw Mistyped(what, "an int", other),
    };

    /// <summary>Run <paramref name="run"/>'s value as a real (an int widens).</summary>
    public double Real(int run, string what) => PerRun[run] switch
    {
        double value => value,
        long value => value,
        null => throw new RuntimeException($"'{what}' has no value in run {run}"),
        var other => throw Mistyped(what, "a real", other),
    };

    internal static RuntimeException Mistyped(string what, string expected, object actual) =>
        new($"'{what}' should be {expected}, but it is {Convert.ToString(actual, CultureInfo.InvariantCulture)} ({actual.GetType().Name})");
}

/// <summary>One value per particle: row r of the population holds <c>PerRow[r]</c>.</summary>
public sealed class ParticleValues(object[] perRow) : BatchValue
{
    public object[] PerRow { get; } = perRow;
}
