using System.Globalization;

namespace Tts.Testing.Statistics;

/// <summary>
/// Seeds of statistical tests. By default a test's seed is the fixed one it names, so CI is deterministic and never
/// flakes; with the environment variable <c>TTS_FRESH_SEEDS=1</c> every call draws a fresh seed and logs it (to
/// stderr and to <c>TTS_SEED_LOG</c> when set), for longer opt-in runs whose failures can be replayed by passing the
/// logged seed as <c>TTS_SEED</c>. The alpha budget holds for any seed chosen independently of the code.
/// </summary>
public static class TestSeeds
{
    public const string FreshVariable = "TTS_FRESH_SEEDS";
    public const string ReplayVariable = "TTS_SEED";
    public const string LogVariable = "TTS_SEED_LOG";

    private static readonly object LogLock = new();

    public static bool Fresh => Environment.GetEnvironmentVariable(FreshVariable) is "1" or "true";

    /// <summary>The seed for the test named <paramref name="test"/>: <paramref name="fixedSeed"/>, a replayed one, or a fresh logged one.</summary>
    public static ulong For(string test, ulong fixedSeed)
    {
        if (Environment.GetEnvironmentVariable(ReplayVariable) is { Length: > 0 } replay)
        {
            return ulong.Parse(replay, CultureInfo.InvariantCulture);
        }

        if (!Fresh)
        {
            return fixedSeed;
        }

        var seed = (ulong)Random.Shared.NextInt64(long.MaxValue);
        var line = string.Create(CultureInfo.InvariantCulture, $"tts fresh seed: {test} {ReplayVariable}={seed}");
        lock (LogLock)
        {
            Console.Error.WriteLine(line);
            if (Environment.GetEnvironmentVariable(LogVariable) is { Length: > 0 } log)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }
        }

        return seed;
    }
}
