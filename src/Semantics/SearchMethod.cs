namespace Tts.Semantics;

/// <summary>The method of a <c>search</c> loop.</summary>
public enum SearchMethod
{
    Beam,
    DiverseBeam,
    BestFirst,
}
