namespace Tts.Semantics;

/// <summary>
/// A value the language cannot compute: an int result outside 64 bits, an invalid regular expression, a pattern that
/// runs past its time limit. The message is one line, fit for a user.
/// </summary>
public sealed class EvaluationException : Exception
{
    public EvaluationException(string message)
        : base(message)
    {
    }

    public EvaluationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
