using System.Text.RegularExpressions;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.TestSupport;

namespace Tts.Language.Tests;

/// <summary>
/// Every ```tts block of docs/language.md is a program that must bind without errors (claims included: a
/// `claims` clause the binder cannot prove is an error), so the reference never shows code that does not work.
/// </summary>
public sealed class DocumentationExamplesTests
{
    private static readonly Regex Block = new("```tts\\n(.*?)```", RegexOptions.Singleline);

    public static TheoryData<int, string> Examples()
    {
        var text = File.ReadAllText(RepoPaths.Combine("docs", "language.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var data = new TheoryData<int, string>();
        var index = 0;
        foreach (Match match in Block.Matches(text))
        {
            data.Add(++index, match.Groups[1].Value);
        }

        return data;
    }

    [Fact]
    public void The_reference_has_an_example_for_each_construct()
    {
        var all = string.Join("\n", Examples().Select(row => (string)row[1]));
        foreach (var construct in new[]
                 {
                     "reward ", "verifier ", "extractor ", "claims ", "budget ", "population ", "sample ", "race ", "spawn(", "smc ", "search ",
                     "extend ", "factor ", "observe ", "condition ", "twist ", "score ", "fork ", "refine ", "repeat(", "speculative(",
                     "first(", "best(", "vote(", "rank(", "let ", "min_p", "forbid",
                 })
        {
            Assert.Contains(construct, all, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_binds_without_errors(int index, string program)
    {
        var tree = SyntaxTree.Parse(program, $"docs/language.md example {index}");
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(tree.Diagnostics);
        var bound = Binder.Bind(tree, diagnostics);

        Assert.Empty(diagnostics.ToImmutableSorted().Where(d => d.IsError).Select(d => d.ToString()));
        Assert.NotEmpty(bound.Strategies);
    }
}
