using Tts.Language.Syntax;
using Tts.Language.Syntax.Formatting;
using Tts.TestSupport;

namespace Tts.Language.Tests.Formatting;

/// <summary>Every real program survives printing: examples, the valid golden programs and the messy formatter sample.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> ValidPrograms() => new(ValidProgramPaths());

    private static List<string> ValidProgramPaths()
    {
        var data = new List<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("examples"), "*.tts", SearchOption.AllDirectories))
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, file));
        }

        foreach (var file in Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.tts"))
        {
            var expected = File.ReadAllText(Path.ChangeExtension(file, ".expected"));
            if (!expected.Contains(": error ", StringComparison.Ordinal))
            {
                data.Add(Path.GetRelativePath(RepoPaths.Root, file));
            }
        }

        data.Add(Path.Combine("tests", "Language.Tests", "FormatterGolden", "messy.tts"));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidPrograms))]
    public void Program_round_trips_through_the_printer(string relativePath)
    {
        FormattingAssertions.AssertRoundTrips(File.ReadAllText(RepoPaths.Combine(relativePath)), relativePath);
    }

    [Fact]
    public void Valid_programs_include_examples_and_golden_files()
    {
        var paths = ValidProgramPaths();
        Assert.Contains(paths, p => p.StartsWith("examples", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.Contains("ok_sampling", StringComparison.Ordinal));
    }

    [Fact]
    public void Examples_are_already_in_canonical_form()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("examples"), "*.tts", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file).Replace("\r\n", "\n");
            Assert.Equal(text, SyntaxPrinter.Format(SyntaxTree.Parse(text, file)).Text);
        }
    }

    [Fact]
    public void Messy_file_prints_as_expected()
    {
        var path = RepoPaths.Combine("tests", "Language.Tests", "FormatterGolden", "messy.tts");
        var printed = FormattingAssertions.AssertRoundTrips(File.ReadAllText(path), "messy.tts");
        Golden.AssertMatches(Path.ChangeExtension(path, ".expected"), printed);
    }

    [Fact]
    public void Crlf_file_formats_like_its_lf_twin_outside_block_comments()
    {
        var lf = File.ReadAllText(RepoPaths.Combine("tests", "Language.Tests", "FormatterGolden", "messy.tts")).Replace("\r\n", "\n");
        var printed = FormattingAssertions.AssertRoundTrips(lf.Replace("\n", "\r\n"), "messy.tts with CRLF");
        Assert.Equal(SyntaxPrinter.Format(SyntaxTree.Parse(lf)).Text, printed.Replace("\r\n", "\n"));
    }

    [Fact]
    public void File_with_syntax_errors_is_refused_with_its_diagnostics()
    {
        var tree = SyntaxTree.Parse("model policy lm\n", "bad.tts");
        var result = SyntaxPrinter.Format(tree);
        Assert.False(result.Succeeded);
        Assert.Null(result.Text);
        Assert.Contains(result.Diagnostics, d => d.Id == "TTS0001");
    }

    [Theory]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("(a - b) - c", "a - b - c")]
    [InlineData("a * (b + c)", "a * (b + c)")]
    [InlineData("(a * b) + c", "a * b + c")]
    [InlineData("-(a + b)", "-(a + b)")]
    [InlineData("(-a) * b", "-a * b")]
    [InlineData("not (a and b) or c", "not (a and b) or c")]
    [InlineData("a or (b and c)", "a or b and c")]
    [InlineData("(a or b) and c", "(a or b) and c")]
    [InlineData("(a == b) == c", "a == b == c")]
    [InlineData("a == (b < c)", "a == b < c")]
    [InlineData("(a == b) < c", "(a == b) < c")]
    [InlineData("a / (b % c)", "a / (b % c)")]
    [InlineData("- - a", "--a")]
    [InlineData("((f(x, n: (1))))", "f(x, n: 1)")]
    public void Parentheses_are_exactly_those_precedence_needs(string source, string expected)
    {
        Assert.Equal(expected, PrintReturnedExpression(source));
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("1e-5", "1E-05")]
    [InlineData("2.50", "2.5")]
    [InlineData("1e300", "1E+300")]
    [InlineData("100000000000000000000.0", "1E+20")]
    [InlineData("\"tab\\t quote\\\" slash\\\\ \\u0001 \\u00e9\"", "\"tab\\t quote\\\" slash\\\\ \\u0001 é\"")]
    public void Literals_are_printed_so_they_read_back_the_same(string source, string expected)
    {
        Assert.Equal(expected, PrintReturnedExpression(source));
    }

    private static string PrintReturnedExpression(string expression)
    {
        var tree = SyntaxTree.Parse($"strategy s() -> text {{\n    return {expression}\n}}\n");
        Assert.Empty(tree.Diagnostics);
        var body = ((Syntax.Nodes.StrategyDeclarationSyntax)tree.Root.Declarations[0]).Body;
        return SyntaxPrinter.Print(((Syntax.Nodes.ReturnStatementSyntax)body.Statements[0]).Value);
    }
}
