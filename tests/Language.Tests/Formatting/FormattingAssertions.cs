using Tts.Language.Syntax;
using Tts.Language.Syntax.Formatting;

namespace Tts.Language.Tests.Formatting;

internal static class FormattingAssertions
{
    /// <summary>
    /// parse → print → parse gives the same AST (modulo spans) and the same comments; printing again changes
    /// nothing. Returns the printed text.
    /// </summary>
    public static string AssertRoundTrips(string text, string name)
    {
        var tree = SyntaxTree.Parse(text, name);
        Assert.True(tree.Diagnostics.IsEmpty, $"{name} should parse cleanly: {string.Join("; ", tree.Diagnostics)}");

        var printed = FormatOrFail(tree, name);
        var reparsed = SyntaxTree.Parse(printed, name + " (printed)");
        Assert.True(reparsed.Diagnostics.IsEmpty, $"the printed {name} should parse cleanly: {string.Join("; ", reparsed.Diagnostics)}\n{printed}");
        SyntaxEquivalence.AssertEquivalent(tree.Root, reparsed.Root, $"printing {name}");
        Assert.Equal(CommentTexts(tree), CommentTexts(reparsed));
        Assert.Equal(printed, FormatOrFail(reparsed, name + " (printed)"));
        return printed;
    }

    /// <summary>The multiset of comment texts, as a sorted list.</summary>
    public static IReadOnlyList<string> CommentTexts(SyntaxTree tree) =>
        tree.Comments.Select(c => c.Text).OrderBy(t => t, StringComparer.Ordinal).ToList();

    private static string FormatOrFail(SyntaxTree tree, string name)
    {
        var result = SyntaxPrinter.Format(tree);
        Assert.True(result.Succeeded, $"{name} should format: {string.Join("; ", result.Diagnostics)}");
        return result.Text!;
    }
}
