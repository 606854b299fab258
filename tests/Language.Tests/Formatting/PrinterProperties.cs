using FsCheck;
using FsCheck.Fluent;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Formatting;

namespace Tts.Language.Tests.Formatting;

/// <summary>Random well-formed ASTs print to text that parses back, cleanly, to the same AST.</summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class PrinterProperties
{
    /// <summary>A fixed seed keeps CI reproducible; change it locally to explore new cases.</summary>
    internal static Config Replayed(int maxTest, int endSize, ulong seed) =>
        Config.QuickThrowOnFailure.WithReplay(seed, 0x9E3779B97F4A7C15UL).WithMaxTest(maxTest).WithEndSize(endSize).WithQuietOnSuccess(true);

    [Fact]
    public void Printed_random_ast_parses_back_to_the_same_ast()
    {
        Prop.ForAll(SyntaxGenerators.CompilationUnit.ToArbitrary(), unit =>
        {
            var printed = SyntaxPrinter.Print(unit);
            var tree = SyntaxTree.Parse(printed, "generated.tts");
            Assert.True(tree.Diagnostics.IsEmpty, $"printed AST has diagnostics: {string.Join("; ", tree.Diagnostics)}\n{printed}");
            var difference = SyntaxEquivalence.FindDifference(unit, tree.Root);
            Assert.True(difference is null, $"AST differs after print and parse at {difference}\n{printed}");
            Assert.Equal(printed, SyntaxPrinter.Print(tree.Root));
        }).Check(Replayed(maxTest: 300, endSize: 12, seed: 20261123));
    }

    [Fact]
    public void Printed_random_expression_keeps_its_shape()
    {
        var expressions = Gen.Sized(SyntaxGenerators.Expression).ToArbitrary();
        Prop.ForAll(expressions, expression =>
        {
            var printed = SyntaxPrinter.Print(expression);
            var tree = SyntaxTree.Parse($"strategy s() -> text {{\n    return {printed}\n}}\n");
            Assert.True(tree.Diagnostics.IsEmpty, $"{printed}: {string.Join("; ", tree.Diagnostics)}");
            var body = ((Syntax.Nodes.StrategyDeclarationSyntax)tree.Root.Declarations[0]).Body;
            var reparsed = ((Syntax.Nodes.ReturnStatementSyntax)body.Statements[0]).Value;
            var difference = SyntaxEquivalence.FindDifference(expression, reparsed);
            Assert.True(difference is null, $"{printed} reads back differently at {difference}");
        }).Check(Replayed(maxTest: 500, endSize: 40, seed: 7));
    }
}
