using Tts.Language.Binding.BoundTree;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Language.Binding.Effects;

/// <summary>What a statement does besides computing values; the binder confines each effect to where it is sound.</summary>
[Flags]
public enum Effect
{
    None = 0,

    /// <summary>Runs a language model (sample, extend, race, speculative, a strategy call).</summary>
    ModelCall = 1,

    /// <summary>Calls a reward, verifier or extractor.</summary>
    RewardCall = 2,

    /// <summary>Changes importance weights, and so the target (factor, observe, condition): only inside smc.</summary>
    Weight = 4,

    /// <summary>Steers without changing the target (twist, score) or selects by a heuristic (rank, search, race).</summary>
    Heuristic = 8,

    /// <summary>Resamples a weighted population.</summary>
    Resample = 16,

    /// <summary>Runs independent branches together (fork, repeat).</summary>
    Fork = 32,
}

public static class EffectAnalysis
{
    /// <summary>The effects of a statement, nested blocks included.</summary>
    public static Effect Of(BoundStatement statement) =>
        BoundTreeWalker.Statements(statement).Aggregate(Effect.None, (effects, s) => effects | Own(s));

    public static string Describe(Effect effects) =>
        effects == Effect.None ? "none" : string.Join(", ", Enum.GetValues(typeof(Effect)).Cast<Effect>()
            .Where(e => e != Effect.None && effects.HasFlag(e)).Select(e => e.ToString()));

    private static Effect Own(BoundStatement statement)
    {
        var effects = statement switch
        {
            BoundRaceStatement => Effect.ModelCall | Effect.Heuristic,
            BoundSampleStatement or BoundExtendStatement => Effect.ModelCall,
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
                BoundFunctionCall => Effect.RewardCall,
                BoundStrategyCall or BoundSpeculative or BoundSpawn => Effect.ModelCall,
                BoundRepeat => Effect.Fork | Effect.ModelCall,
                BoundRank => Effect.Heuristic,
                _ => Effect.None,
            };
        }

        return effects;
    }
}
