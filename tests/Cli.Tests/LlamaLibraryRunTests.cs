using System.Diagnostics;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// <c>TTS_LLAMA_LIBRARY</c> through a whole <c>tts run</c> process (llama.cpp loads once per process, so each case is
/// its own process): naming the CPU backend's own library (a stand-in for a CUDA build, none being installed here)
/// gives the same samples as the default; a file that is not a library is one line, not a stack trace.
/// </summary>
public sealed class LlamaLibraryRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-llama-library-").FullName;
    private readonly string _gguf;

    public LlamaLibraryRunTests()
    {
        _gguf = Path.Combine(_folder, "policy.gguf");
        var export = CliRunner.Run("export", "gguf", RepoPaths.Combine("models", "arith-policy"), _gguf, "--type", "f32");
        Assert.True(export.ExitCode == 0, export.Error);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [LinuxFact]
    [Trait("Category", TestCategories.Slow)]
    public void The_named_library_is_the_one_loaded()
    {
        // noavx runs on every x86-64 CPU; the default picks the best of avx512/avx2/avx/noavx for this one.
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "noavx", "libllama.so");
        Assert.True(File.Exists(library), library);

        var byDefault = Run(null);
        var named = Run(library);
        Assert.True(byDefault.ExitCode == 0, byDefault.Error);
        Assert.True(named.ExitCode == 0, named.Error);
        Assert.Equal(3, byDefault.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(byDefault.Output, named.Output);

        // Not a library at all: the override reached LLamaSharp, and its failure is one coded line.
        var notALibrary = Run(Path.Combine(_folder, "policy.gguf"));
        Assert.Equal(3, notALibrary.ExitCode);
        Assert.Equal("", notALibrary.Output);
        Assert.StartsWith($"tts: error: llama.cpp's native library could not be loaded from TTS_LLAMA_LIBRARY={Path.Combine(_folder, "policy.gguf")}: ", notALibrary.Error, StringComparison.Ordinal);
        Assert.Single(notALibrary.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private (int ExitCode, string Output, string Error) Run(string? library)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "tts"),
            ["run", RepoPaths.Combine("examples", "strategies", "sampling.tts"), "--model", $"policy=gguf:{_gguf}?threads=1&exact_attention=1",
             "--prompt", "Q: 12+7=?\n", "--seed", "5", "--samples", "3", "--format", "jsonl"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["TTS_LLAMA_LIBRARY"] = library ?? "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("tts run did not end within 120 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
