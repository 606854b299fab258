namespace Tts.Semantics;

/// <summary>What a declared function of a text gives: the three kinds a strategy binds at run time.</summary>
public enum FunctionKind
{
    /// <summary><c>reward prm</c>: a Score (or Prob) of a text.</summary>
    Reward,

    /// <summary><c>verifier valid</c>: a bool of a text.</summary>
    Verifier,

    /// <summary><c>extractor final_answer</c>: a text extracted from a text.</summary>
    Extractor,
}
