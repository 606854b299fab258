using Tts.Language.Binding.BoundTree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding.Effects;

/// <summary>
/// Where each statement may stand: weights only in smc, scores only in search, extends in either, returns only at
/// the top of a body, and blocks only where their population's steps are well defined. <see cref="EffectAnalysis"/>
/// reports what breaks them; the binder asks first, so that it leaves a misplaced statement unbound
/// (<see cref="BoundMisplacedStatement"/>) and the statement is reported once, not again for its parts.
/// </summary>
internal static class EffectRules
{
    /// <summary>How a statement breaks the rules of the block it stands in: the diagnostic and the rule in words.</summary>
    public sealed record Violation(DiagnosticDescriptor Descriptor, string Rule);

    /// <summary>The rule <paramref name="kind"/> breaks in <paramref name="block"/>, or null when it may stand there.</summary>
    public static Violation? Check(StatementKind kind, BlockKind block)
    {
        string? rule = (kind, block) switch
        {
            (StatementKind.Factor or StatementKind.Observe or StatementKind.Twist, not BlockKind.Smc) =>
                "inside an `smc` block over the population: weights outside SMC would change the target with nothing to correct for it",
            (StatementKind.Condition, not (BlockKind.Smc or BlockKind.Search)) =>
                "inside an `smc` or `search` block over the population (for one answer, use first(xs, where: ...))",
            (StatementKind.Score, not BlockKind.Search) =>
                "inside a `search` block over the population (to select by a score elsewhere, use best or rank)",
            (StatementKind.Reextend, not BlockKind.Smc) =>
                "inside an `smc` block over the population, after the `extend` whose step it redraws",
            (StatementKind.Extend, not (BlockKind.Smc or BlockKind.Search)) =>
                "inside an `smc` or `search` block over the population (to draw whole texts, use `population x = sample m(...)`)",
            _ => null,
        };
        if (rule is not null)
        {
            return new Violation(DiagnosticDescriptors.EffectOutsideBlock, rule);
        }

        string? where = (kind, block) switch
        {
            (StatementKind.Return, not BlockKind.Body) => "inside a block: return after the block ends",
            (StatementKind.Population or StatementKind.Smc or StatementKind.Search or StatementKind.Fork or StatementKind.Refine,
                BlockKind.Smc or BlockKind.Search) => "inside an smc or search block, which may only extend, weight, score and compute values",
            (StatementKind.Smc or StatementKind.Search or StatementKind.Fork or StatementKind.Refine, BlockKind.Fork) =>
                "inside a fork, whose branches are `let` and `population` statements",
            _ => null,
        };
        return where is null ? null : new Violation(DiagnosticDescriptors.StatementNotAllowed, where);
    }

    /// <summary>"factor", "extend", "return": how the statement is written.</summary>
    public static string Keyword(StatementKind kind) => kind.ToString().ToLowerInvariant();

    public static StatementKind KindOf(StatementSyntax statement) => statement switch
    {
        LetStatementSyntax => StatementKind.Let,
        PopulationStatementSyntax => StatementKind.Population,
        SmcStatementSyntax => StatementKind.Smc,
        SearchStatementSyntax => StatementKind.Search,
        ExtendStatementSyntax => StatementKind.Extend,
        ReextendStatementSyntax => StatementKind.Reextend,
        ParticleUpdateSyntax update => KindOf(update.Kind),
        ForkStatementSyntax => StatementKind.Fork,
        RefineStatementSyntax => StatementKind.Refine,
        _ => StatementKind.Return,
    };

    public static StatementKind KindOf(BoundStatement statement) => statement switch
    {
        BoundLetStatement => StatementKind.Let,
        BoundSampleStatement or BoundRaceStatement or BoundPopulationStatement => StatementKind.Population,
        BoundSmcStatement => StatementKind.Smc,
        BoundSearchStatement => StatementKind.Search,
        BoundFailedBlock failed => failed.Block == BlockKind.Smc ? StatementKind.Smc : StatementKind.Search,
        BoundExtendStatement => StatementKind.Extend,
        BoundReextendStatement => StatementKind.Reextend,
        BoundParticleUpdate update => KindOf(update.Kind),
        BoundForkStatement => StatementKind.Fork,
        BoundRefineStatement => StatementKind.Refine,
        BoundMisplacedStatement misplaced => misplaced.Kind,
        BoundBadStatement bad => KindOf(bad.Statement),
        _ => StatementKind.Return,
    };

    private static StatementKind KindOf(ParticleUpdateKind kind) => kind switch
    {
        ParticleUpdateKind.Factor => StatementKind.Factor,
        ParticleUpdateKind.Observe => StatementKind.Observe,
        ParticleUpdateKind.Condition => StatementKind.Condition,
        ParticleUpdateKind.Twist => StatementKind.Twist,
        _ => StatementKind.Score,
    };
}
