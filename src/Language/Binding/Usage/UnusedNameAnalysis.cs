using Tts.Language.Binding.Analysis;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;

namespace Tts.Language.Binding.Usage;

/// <summary>
/// Warns about every <c>let</c>, <c>population</c> and <c>refine</c> name a strategy declares and never reads (nested
/// blocks included). Silent in a strategy with errors (<see cref="BoundStrategy.HasErrors"/>): uses inside expressions
/// that failed to bind are lost, so "unused" would be noise next to real errors.
/// </summary>
internal sealed class UnusedNameAnalysis : IBoundProgramAnalysis
{
    public BoundProgram Analyze(BoundProgram program, AnalysisContext context)
    {
        foreach (var strategy in program.Strategies.Where(s => !s.HasErrors))
        {
            var used = new HashSet<LocalSymbol>();
            foreach (var statement in strategy.Body.SelectMany(BoundTreeWalker.Statements))
            {
                // smc and search blocks use their population; expressions use what they reference.
                var uses = BoundTreeWalker.Expressions(statement).Select(UsedLocal).Append(statement switch
                {
                    BoundSmcStatement smc => smc.Population,
                    BoundSearchStatement search => search.Population,
                    _ => null,
                });
                used.UnionWith(uses.OfType<LocalSymbol>());
            }

            foreach (var local in strategy.Locals.Where(l => !used.Contains(l)))
            {
                context.Report(local.IsPopulation ? DiagnosticDescriptors.UnusedPopulation : DiagnosticDescriptors.UnusedLocal, local.DeclarationSpan, local.Name);
            }
        }

        return program;
    }

    private static LocalSymbol? UsedLocal(BoundExpression expression) => expression switch
    {
        BoundLocalReference reference => reference.Local,
        BoundParticleText text => text.PopulationSymbol,
        BoundSelection selection => selection.PopulationSymbol,
        BoundRank rank => rank.PopulationSymbol,
        _ => null,
    };
}
