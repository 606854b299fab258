using System.Diagnostics;

namespace Tts.Benchmarking;

/// <summary>Wall-clock timing helpers: every measurement is a median (or a best) of several, never one sample.</summary>
public static class Timing
{
    public static double Seconds(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The upper median: with an even count the larger of the two middle values (never an average of two runs).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? throw new ArgumentException("No values to take the median of.", nameof(values)) : sorted[sorted.Length / 2];
    }
}
