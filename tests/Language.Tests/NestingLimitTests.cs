using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;

namespace Tts.Language.Tests;

/// <summary>
/// Deep nesting is a located TTS0007, never a stack overflow (which ends the process): 10,000 brackets, prefix minuses
/// or terms of a sum; nesting within the limits parses and binds.
/// </summary>
public sealed class NestingLimitTests
{
    private static string Program(string expression) => $"model policy: lm\nstrategy s() -> int {{\n    return {expression}\n}}\n";

    public static TheoryData<string, string> TooDeep => new()
    {
        { "brackets", new string('(', 10_000) + "1" + new string(')', 10_000) },
        { "prefix minuses", new string('-', 10_000) + "1" },
        { "a sum of 10,000 terms", string.Join("+", Enumerable.Repeat("1", 10_000)) },
        { "calls", string.Concat(Enumerable.Repeat("abs(", 10_000)) + "1" + new string(')', 10_000) },
        { "lists", new string('[', 10_000) + "1" + new string(']', 10_000) },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Past_the_limit_is_one_located_error(string what, string expression)
    {
        var tree = SyntaxTree.Parse(Program(expression), "deep.tts");
        var error = Assert.Single(tree.Diagnostics);
        Assert.True(error.Descriptor == DiagnosticDescriptors.NestingTooDeep, what + ": " + error);
        Assert.Equal(2, error.Location.Start.Line); // zero-based: the return line
        Assert.Empty(tree.Root.Declarations);
    }

    [Theory]
    [InlineData(100, 0)]
    [InlineData(0, 100)]
    [InlineData(60, 60)]
    public void Within_the_limits_it_parses_and_binds(int brackets, int minuses)
    {
        var sum = string.Join(" + ", Enumerable.Repeat(new string('(', brackets) + new string('-', minuses) + "1" + new string(')', brackets), 200));
        var tree = SyntaxTree.Parse(Program(sum), "deep.tts");
        Assert.Empty(tree.Diagnostics);
        var diagnostics = new DiagnosticBag();
        Binder.Bind(tree, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.ToImmutableSorted()));
    }
}
