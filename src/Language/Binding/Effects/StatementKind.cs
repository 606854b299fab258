namespace Tts.Language.Binding.Effects;

/// <summary>What a statement is, as far as <see cref="EffectRules"/> care; its keyword is its name in lower case.</summary>
public enum StatementKind
{
    Let,
    Population,
    Smc,
    Search,
    Extend,
    Reextend,
    Factor,
    Observe,
    Condition,
    Twist,
    Score,
    Fork,
    Refine,
    Return,
}
