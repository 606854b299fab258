namespace Tts.Language.Binding.Effects;

/// <summary>Where a statement stands: the strategy body, an smc or search block over a population, or a fork.</summary>
public enum BlockKind
{
    Body,
    Smc,
    Search,
    Fork,
}
