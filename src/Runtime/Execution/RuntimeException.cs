namespace Tts.Runtime.Execution;

/// <summary>A run that cannot proceed (a bad argument value, an unbound model). The message is one clear line.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message)
        : base(message)
    {
    }
}
