using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// Configures llama.cpp once per process, before its library loads. Its log: llama.cpp writes its load report to
/// stderr; the command line prints one-line errors only, so the log is kept in memory instead and its last error line
/// is added to messages when a load fails. Its library: LLamaSharp.Backend.Cpu's build by default, or the file named by
/// <c>TTS_LLAMA_LIBRARY</c> — a libllama built with CUDA (or Vulkan, Metal) from the llama.cpp commit LLamaSharp
/// 0.30.0 binds (docs/engines.md, "A GPU build of llama.cpp"), so that <c>gguf:FILE?gpu_layers=N</c> offloads layers.
/// </summary>
internal static class LlamaNativeLog
{
    /// <summary>The environment variable naming a llama.cpp library to load instead of the CPU backend's.</summary>
    public const string LibraryVariable = "TTS_LLAMA_LIBRARY";

    private static readonly object Gate = new();
    private static readonly Queue<string> Errors = new();
    private static bool _installed;
    private static string? _loadFailure;

    /// <summary>Configures and loads llama.cpp's library; a library that cannot load is a <see cref="ModelException"/>, every time.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_loadFailure is not null)
            {
                throw new ModelException(_loadFailure);
            }

            if (_installed)
            {
                return;
            }

            var library = Library(Environment.GetEnvironmentVariable(LibraryVariable));
            if (library is not null)
            {
                NativeLibraryConfig.All.WithLibrary(library, null);
            }

            NativeLibraryConfig.All.WithLogCallback(Record);
            _installed = true;
            try
            {
                NativeApi.llama_empty_call(); // loads the library now, where a failure can be named
            }
            catch (TypeInitializationException exception)
            {
                // LLamaSharp's message lists possible causes over several lines; its first line is the one to print.
                var reason = (exception.InnerException ?? exception).Message.Split('\n', 2)[0].Trim();
                _loadFailure = "llama.cpp's native library could not be loaded" + (library is null ? "" : $" from {LibraryVariable}={library}") + $": {reason}";
                throw new ModelException(_loadFailure, exception);
            }
        }
    }

    /// <summary>
    /// The library <c>TTS_LLAMA_LIBRARY</c> names, as a full path; null when unset or empty. A file that is not there is
    /// an error naming the variable, not llama.cpp's "failed to load" from deep inside the first model load.
    /// </summary>
    internal static string? Library(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var path = Path.GetFullPath(value);
        return File.Exists(path)
            ? path
            : throw new ModelException($"{LibraryVariable}={value}: no such file (it names a llama.cpp library, e.g. a CUDA build's libllama.so)");
    }

    /// <summary>The most recent error line llama.cpp logged, or null.</summary>
    public static string? LastError()
    {
        lock (Gate)
        {
            return Errors.LastOrDefault();
        }
    }

    /// <summary>A <see cref="ModelException"/> whose message ends with llama.cpp's last logged error, when it logged one.</summary>
    public static ModelException Failure(string message, Exception? inner = null)
    {
        var text = message + (LastError() is { } error ? $": {error}" : "");
        return inner is null ? new ModelException(text) : new ModelException(text, inner);
    }

    /// <summary>Loads a model's weights; a file llama.cpp refuses is a one-line <see cref="ModelException"/>.</summary>
    public static LLamaWeights LoadWeights(string path, ModelParams parameters)
    {
        try
        {
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException exception)
        {
            throw Failure($"{path}: llama.cpp could not load the model", exception);
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
