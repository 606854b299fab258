using System.Collections.Immutable;
using Tts.Language.Binding.Analysis;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Budgets;
using Tts.Language.Binding.Effects;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Usage;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;

namespace Tts.Language.Binding;

/// <summary>
/// The front end after parsing: the <see cref="Binder"/> builds the bound tree (symbols, types, type errors), then
/// each analysis walks it in turn, reporting into the same bag and filling in what it infers. The bag sorts its
/// diagnostics by position, then by when they were reported (DiagnosticBag.ToImmutableSorted). Each analysis reports
/// at spans of its own (a misplaced statement, a declared name, a claim's reason, a budget limit) where the binder
/// reports nothing after it, so running them after binding prints every diagnostic as when the binder ran them inline.
/// </summary>
public static class SemanticAnalysis
{
    /// <summary>
    /// The analyses in the order they run, fresh for each program (an analysis keeps state while it walks). The
    /// order is the one the binder had when it ran them inline, strategy by strategy: effects while binding the
    /// body, unused names after it, then the claim, then the budget.
    /// </summary>
    private static ImmutableArray<IBoundProgramAnalysis> Analyses() => ImmutableArray.Create<IBoundProgramAnalysis>(
        new EffectAnalysis(),
        new UnusedNameAnalysis(),
        new GuaranteeAnalysis(),
        new BudgetAnalysis());

    /// <summary>Binds the tree and runs every analysis over the result.</summary>
    public static BoundProgram Analyze(SyntaxTree tree, DiagnosticBag diagnostics)
    {
        var program = Binder.BindProgram(tree, diagnostics);
        var context = new AnalysisContext(tree.Source, diagnostics);
        foreach (var analysis in Analyses())
        {
            program = analysis.Analyze(program, context);
        }

        return program;
    }
}
