namespace Tts.Language.Binding.Effects;

/// <summary>What a statement does besides computing values; <see cref="EffectRules"/> confine each effect to where it is sound.</summary>
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
