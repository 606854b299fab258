using Tts.Language.Syntax;
using Tts.Language.Syntax.Nodes;

namespace Tts.Language.Tests.Formatting;

public sealed class CommentTests
{
    private const string Program = """
        // not a doc comment: a blank line follows

        // doc of policy, line 1
        /* doc of policy, line 2 */
        model policy: lm // trails the model
        /* doc of s */ strategy s() -> text {
            return "a // not a comment" // trails the return
        }
        """;

    [Fact]
    public void Every_comment_is_in_the_side_table_in_source_order()
    {
        var tree = SyntaxTree.Parse(Program);
        Assert.Equal(
            new[]
            {
                "// not a doc comment: a blank line follows", "// doc of policy, line 1", "/* doc of policy, line 2 */",
                "// trails the model", "/* doc of s */", "// trails the return",
            },
            tree.Comments.Select(c => c.Text));
        Assert.All(tree.Comments, c => Assert.Equal(c.Text, Program.Substring(c.Span.Start, c.Span.Length)));
    }

    [Fact]
    public void Comments_do_not_change_the_ast()
    {
        var withComments = SyntaxTree.Parse(Program);
        var blanked = Program.ToCharArray();
        foreach (var comment in withComments.Comments)
        {
            for (var i = comment.Span.Start; i < comment.Span.End; i++)
            {
                blanked[i] = ' ';
            }
        }

        var without = SyntaxTree.Parse(new string(blanked));
        Assert.Empty(without.Comments);
        SyntaxEquivalence.AssertEquivalent(withComments.Root, without.Root, "removing the comments");
    }

    [Fact]
    public void Leading_comments_are_the_run_directly_above_a_declaration()
    {
        var tree = SyntaxTree.Parse(Program);
        var model = tree.Root.Declarations.OfType<ModelDeclarationSyntax>().Single();
        var strategy = tree.Root.Declarations.OfType<StrategyDeclarationSyntax>().Single();

        Assert.Equal(new[] { "// doc of policy, line 1", "/* doc of policy, line 2 */" }, tree.GetLeadingComments(model).Select(c => c.Text));
        // "/* doc of s */" shares its line with the declaration, not with code before it, so it documents s;
        // "// trails the model" trails code and documents nothing.
        Assert.Equal(new[] { "/* doc of s */" }, tree.GetLeadingComments(strategy).Select(c => c.Text));
    }

    [Fact]
    public void Declaration_without_comments_has_no_leading_comments()
    {
        var tree = SyntaxTree.Parse("model a: lm\nmodel b: lm\n");
        Assert.All(tree.Root.Declarations, d => Assert.Empty(tree.GetLeadingComments(d)));
    }
}
