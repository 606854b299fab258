using LLama.Native;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// llama.cpp writes its load report to stderr; the command line prints one-line errors only, so the log is kept in
/// memory instead and its last error line is added to messages when a load fails.
/// </summary>
internal static class LlamaNativeLog
{
    private static readonly object Gate = new();
    private static readonly Queue<string> Errors = new();
    private static bool _installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (_installed)
            {
                return;
            }

            NativeLibraryConfig.All.WithLogCallback(Record);
            _installed = true;
        }
    }

    /// <summary>The most recent error line llama.cpp logged, or null.</summary>
    public static string? LastError()
    {
        lock (Gate)
        {
            return Errors.LastOrDefault();
        }
    }

    private static void Record(LLamaLogLevel level, string message)
    {
        if (level != LLamaLogLevel.Error || string.IsNullOrWhiteSpace(message))
        {
            return;
        }

        lock (Gate)
        {
            Errors.Enqueue(message.Trim());
            while (Errors.Count > 8)
            {
                Errors.Dequeue();
            }
        }
    }
}
