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
/// diagnostics by position (DiagnosticBag.ToImmutableSorted), so running the analyses after binding prints them where
/// they printed when the binder ran them inline; the analyses keep the order they had there among themselves.
/// </summary>
public static class SemanticAnalysis
{
    private static readonly ImmutableArray<IBoundProgramAnalysis> Analyses = ImmutableArray.Create<IBoundProgramAnalysis>(
        new EffectAnalysis(),
        new UnusedNameAnalysis(),
        new GuaranteeAnalysis(),
        new BudgetAnalysis());

    /// <summary>Binds the tree and runs every analysis over the result.</summary>
    public static BoundProgram Analyze(SyntaxTree tree, DiagnosticBag diagnostics)
    {
        var program = Binder.BindProgram(tree, diagnostics);
        var context = new AnalysisContext(tree.Source, diagnostics);
        foreach (var analysis in Analyses)
        {
            program = analysis.Analyze(program, context);
        }

        return program;
    }
}
