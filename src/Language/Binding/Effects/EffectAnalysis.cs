using Tts.Language.Binding.Analysis;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding.Effects;

/// <summary>
/// What each statement does besides computing values (<see cref="Of"/>), and the analysis that enforces
/// <see cref="EffectRules"/>: every statement is checked against the block it stands in, nested blocks included.
/// </summary>
public sealed class EffectAnalysis : IBoundProgramAnalysis
{
    internal EffectAnalysis()
    {
    }

    /// <summary>The effects of a statement, nested blocks included.</summary>
    public static Effect Of(BoundStatement statement) =>
        BoundTreeWalker.Statements(statement).Aggregate(Effect.None, (effects, s) => effects | Own(s));

    public static string Describe(Effect effects) =>
        effects == Effect.None ? "none" : string.Join(", ", Enum.GetValues(typeof(Effect)).Cast<Effect>()
            .Where(e => e != Effect.None && effects.HasFlag(e)).Select(e => e.ToString()));

    BoundProgram IBoundProgramAnalysis.Analyze(BoundProgram program, AnalysisContext context)
    {
        foreach (var strategy in program.Strategies)
        {
            Check(strategy.Body.Concat(strategy.Unreachable), BlockKind.Body, context);
        }

        return program;
    }

    private static void Check(IEnumerable<BoundStatement> statements, BlockKind block, AnalysisContext context)
    {
        foreach (var statement in statements)
        {
            var kind = EffectRules.KindOf(statement);
            if (EffectRules.Check(kind, block) is { } violation)
            {
                context.Report(violation.Descriptor, statement.Span, EffectRules.Keyword(kind), violation.Rule);
            }

            switch (statement)
            {
                case BoundSmcStatement smc:
                    Check(smc.Body, BlockKind.Smc, context);
                    break;
                case BoundSearchStatement search:
                    Check(search.Body, BlockKind.Search, context);
                    break;
                case BoundFailedBlock failed:
                    Check(failed.Body, failed.Block, context);
                    break;
                case BoundForkStatement fork:
                    Check(fork.Body, BlockKind.Fork, context);
                    break;
            }
        }
    }

    private static Effect Own(BoundStatement statement)
    {
        var effects = statement switch
        {
            BoundRaceStatement => Effect.ModelCall | Effect.Heuristic,
            BoundSampleStatement or BoundExtendStatement => Effect.ModelCall,
            BoundReextendStatement => Effect.ModelCall,
            BoundSmcStatement { Resample: not ResampleMethod.None } => Effect.Resample,
            BoundSearchStatement => Effect.Heuristic,
            BoundParticleUpdate { Kind: ParticleUpdateKind.Twist or ParticleUpdateKind.Score } => Effect.Heuristic,
            BoundParticleUpdate => Effect.Weight,
            BoundForkStatement => Effect.Fork,
            _ => Effect.None,
        };
        foreach (var expression in BoundTreeWalker.Expressions(statement))
        {
            effects |= expression switch
            {
                BoundFunctionCall or BoundLogProb or BoundStepLogProb => Effect.RewardCall,
                BoundStrategyCall or BoundSpeculative or BoundSpawn => Effect.ModelCall,
                BoundAdaptiveVote { Key: AdaptiveVoteKey.Extractor } => Effect.ModelCall | Effect.RewardCall,
                BoundAdaptiveVote => Effect.ModelCall,
                BoundRepeat => Effect.Fork | Effect.ModelCall,
                BoundRank => Effect.Heuristic,
                _ => Effect.None,
            };
        }

        return effects;
    }
}
