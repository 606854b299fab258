using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.TestSupport;

namespace Tts.Compiler.Tests;

/// <summary>The IR of every example strategy, as lowered (-O0) and optimized (-O1), against checked-in text.</summary>
public sealed class IrGoldenTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("examples", "strategies"), "*.tts").OrderBy(f => f, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_lowers_and_optimizes_to_expected_ir(string fileName)
    {
        var source = SourceText.From(File.ReadAllText(RepoPaths.Combine("examples", "strategies", fileName)), fileName);
        var compilation = Compilation.Compile(source, OptimizationLevel.O1);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var text = "// -O0\n" + StageDumper.Dump(compilation, CompilerStage.Ir) + "\n// -O1\n" + StageDumper.Dump(compilation, CompilerStage.IrOpt);
        Golden.AssertMatches(RepoPaths.Combine("tests", "Compiler.Tests", "Golden", Path.ChangeExtension(fileName, ".ir")), text);
    }
}
