namespace Tts.Semantics;

/// <summary>How a statement inside <c>smc</c> or <c>search</c> updates each particle.</summary>
public enum ParticleUpdateKind
{
    /// <summary><c>factor ps += w</c>: adds a LogWeight.</summary>
    Factor,

    /// <summary><c>observe ps: p</c>: adds log p of a Prob.</summary>
    Observe,

    /// <summary><c>condition ps: c</c>: kills particles where c is false.</summary>
    Condition,

    /// <summary><c>twist ps = w</c>: sets the heuristic twist (a LogWeight), removed before weights are used.</summary>
    Twist,

    /// <summary><c>score ps = s</c>: sets the Score a search ranks by.</summary>
    Score,
}
