using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.TestSupport;

namespace Tts.Compiler.Tests;

/// <summary>The C# emitter's text (its agreement with the executor is tested in Runtime.Tests/Emit).</summary>
public sealed class EmitterTests
{
    [Fact]
    public void Particle_filter_emits_the_expected_csharp()
    {
        const string file = "particle_filter.tts";
        var source = SourceText.From(File.ReadAllText(RepoPaths.Combine("examples", "strategies", file)), file);
        var compilation = Compilation.Compile(source, OptimizationLevel.O1);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Golden.AssertMatches(RepoPaths.Combine("tests", "Compiler.Tests", "Golden", "particle_filter.O1.cs.txt"), StageDumper.Dump(compilation, CompilerStage.CSharp));
    }

    [Theory]
    [InlineData(0.1, "0.1d")]
    [InlineData(1.0, "1d")]
    [InlineData(-0.0, "-0d")]
    [InlineData(double.NaN, "double.NaN")]
    [InlineData(double.NegativeInfinity, "double.NegativeInfinity")]
    [InlineData(1e-300, "1E-300d")]
    public void Reals_are_written_to_parse_back_to_the_same_bits(double value, string expected) =>
        Assert.Equal(expected, CSharpLiterals.Real(value));

    [Fact]
    public void Constants_are_written_as_csharp_literals()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\u0001\"", CSharpLiterals.Constant("a\"b\\c\n\u0001"));
        Assert.Equal("new object[] { 2L, \"x\", true }", CSharpLiterals.Constant(new object[] { 2L, "x", true }));
        Assert.Equal("global::System.Array.Empty<object>()", CSharpLiterals.Constant(System.Array.Empty<object>()));
    }

    [Theory]
    [InlineData("question", "question")]
    [InlineData("class", "arg_class")]
    [InlineData("rt", "arg_rt")]
    [InlineData("v3", "arg_v3")]
    public void Parameter_names_never_clash_with_keywords_or_generated_names(string name, string expected) =>
        Assert.Equal(expected, CSharpLiterals.Identifier(name, n => System.Text.RegularExpressions.Regex.IsMatch(n, "^(v[0-9]+|rt[0-9]*)$")));

    [Theory]
    [InlineData("particle_filter.tts", "ParticleFilter")]
    [InlineData("best-of-n.tts", "BestOfN")]
    [InlineData("2shot.tts", "Strategies2shot")]
    public void Class_names_come_from_file_names(string file, string expected) => Assert.Equal(expected, CSharpEmitter.ClassNameFor(file));
}
