namespace Tts.Testing.Oracle;

/// <summary>The oracle cannot compute a law: a construct it does not enumerate, an input too large, or an ill-posed case.</summary>
public sealed class OracleException : Exception
{
    public OracleException(string message)
        : base(message)
    {
    }
}
