using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;

namespace Tts.Language.Tests;

/// <summary>Parses and binds a small program under a shared prelude of models, rewards and a verifier.</summary>
internal static class ProgramBinding
{
    public const string Prelude = """
        model policy: lm
        model draft: lm
        reward prm: Score
        reward p_ok: Prob
        verifier valid
        extractor final_answer

        """;

    public static (BoundProgram Program, IReadOnlyList<Diagnostic> Diagnostics) Bind(string strategies)
    {
        var tree = SyntaxTree.Parse(Prelude + strategies, "test.tts");
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(tree.Diagnostics);
        var program = Binder.Bind(tree, diagnostics);
        return (program, diagnostics.ToImmutableSorted());
    }

    /// <summary>Binds a program that must have no errors, and returns the named strategy.</summary>
    public static BoundStrategy BindClean(string strategies, string strategyName)
    {
        var (program, diagnostics) = Bind(strategies);
        var errors = diagnostics.Where(d => d.IsError).ToList();
        Xunit.Assert.True(errors.Count == 0, "unexpected errors:\n" + string.Join("\n", errors));
        return program.FindStrategy(strategyName) ?? throw new Xunit.Sdk.XunitException($"no strategy '{strategyName}'");
    }
}
