using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;

namespace Tts.Cli.Commands;

/// <summary>Reads a .tts file (and compiles it), turning a missing file into one clear line.</summary>
internal static class SourceLoader
{
    public static Compilation Compile(string path, OptimizationLevel level = OptimizationLevel.O1) =>
        Compilation.Compile(Read(path), level);

    /// <summary>The file compiled for running (<see cref="StrategyProgram"/>: select, bind, run).</summary>
    public static StrategyProgram Load(string path, OptimizationLevel level = OptimizationLevel.O1) =>
        StrategyProgram.Compile(Read(path), level);

    public static SourceText Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(Directory.Exists(path) ? $"'{path}' is a folder, not a .tts file" : $"file not found: {path}");
        }

        return SourceText.From(File.ReadAllText(path), path);
    }
}
