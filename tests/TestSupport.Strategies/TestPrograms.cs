using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;
using Xunit;

namespace Tts.TestSupport.Strategies;

/// <summary>Compiles test programs that must compile: the diagnostics are the failure message when they do not.</summary>
public static class TestPrograms
{
    public static Compilation Compile(string source, OptimizationLevel level = OptimizationLevel.O1, string path = "test.tts")
    {
        var compilation = Compilation.Compile(SourceText.From(source, path), level);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    /// <summary>The strategy <paramref name="name"/> of the program, or its only one, ready to run.</summary>
    public static CompiledStrategy Strategy(string source, string? name = null, OptimizationLevel level = OptimizationLevel.O1)
    {
        var module = Compile(source, level).Optimized!;
        return CompiledStrategy.Of(module, name ?? module.Functions.Single().Name);
    }
}
