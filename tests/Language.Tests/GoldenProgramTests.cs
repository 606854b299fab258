using System.Text;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.TestSupport;

namespace Tts.Language.Tests;

/// <summary>
/// Every Golden/*.tts is parsed and bound; its diagnostics (or, when clean, its strategies with signatures and
/// guarantees) must match Golden/*.expected. Bad programs live here with the exact messages users see.
/// </summary>
public sealed class GoldenProgramTests
{
    public static TheoryData<string> Programs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.tts").OrderBy(f => f, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Program_produces_expected_diagnostics(string fileName)
    {
        var path = RepoPaths.Combine("tests", "Language.Tests", "Golden", fileName);
        var tree = SyntaxTree.Parse(File.ReadAllText(path), fileName);
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(tree.Diagnostics);
        var program = Binder.Bind(tree, diagnostics);

        var output = new StringBuilder();
        foreach (var diagnostic in diagnostics.ToImmutableSorted())
        {
            output.Append(diagnostic).Append('\n');
        }

        if (!diagnostics.HasErrors)
        {
            foreach (var strategy in program.Strategies)
            {
                output.Append($"strategy {strategy.Symbol.Signature}\n  {strategy.Guarantee.LevelName}: {strategy.Guarantee.Target}\n");
            }
        }

        Golden.AssertMatches(Path.ChangeExtension(path, ".expected"), output.ToString());
    }

    [Fact]
    public void Golden_folder_has_programs_of_both_kinds()
    {
        var expected = Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.expected").Select(File.ReadAllText).ToList();
        Assert.Contains(expected, e => e.Contains(": error TTS0001:", StringComparison.Ordinal));
        Assert.Contains(expected, e => e.Contains(": error TTS01", StringComparison.Ordinal));
        Assert.Contains(expected, e => e.StartsWith("strategy ", StringComparison.Ordinal));
    }
}
