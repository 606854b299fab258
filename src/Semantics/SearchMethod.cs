namespace Tts.Semantics;

/// <summary>The method of a <c>search</c> loop.</summary>
public enum SearchMethod
{
    Beam,
    DiverseBeam,
    BestFirst,

    /// <summary>Monte Carlo tree search over steps (UCT): each step of the loop is one simulation.</summary>
    Mcts,

    /// <summary>Monte Carlo tree search with PUCT: UCT's exploration weighted by a prior from the policy's step probabilities.</summary>
    Puct,
}
