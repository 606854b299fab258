using Tts.Engines.Gguf.Engine;
using Tts.Runtime.Models;

namespace Tts.Engines.Tests;

/// <summary>
/// <c>TTS_LLAMA_LIBRARY</c> names a llama.cpp library to load instead of the CPU backend's (a CUDA build, for
/// <c>gpu_layers</c>). Its value is checked before LLamaSharp sees it; the process-level runs are in
/// Cli.Tests/LlamaLibraryRunTests, since a process loads llama.cpp once.
/// </summary>
public sealed class LlamaLibraryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Unset_means_the_backend_package_library(string? value) => Assert.Null(LlamaNativeLog.Library(value));

    [Fact]
    public void A_file_that_is_not_there_is_one_line_naming_the_variable()
    {
        var error = Assert.Throws<ModelException>(() => LlamaNativeLog.Library("/nonexistent/libllama.so"));
        Assert.Equal(
            "TTS_LLAMA_LIBRARY=/nonexistent/libllama.so: no such file (it names a llama.cpp library, e.g. a CUDA build's libllama.so)",
            error.Message);
    }

    [Fact]
    public void An_existing_file_is_given_as_its_full_path()
    {
        var file = Path.GetTempFileName();
        try
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
            Assert.Equal(file, LlamaNativeLog.Library(relative));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
