namespace Tts.Engines.Remote;

/// <summary>A remote model or reward failed in a way retrying cannot fix (bad request, unreadable answer, retries spent): one line, no stack trace.</summary>
public sealed class RemoteException : Exception
{
    public RemoteException(string message)
        : base(message)
    {
    }

    public RemoteException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
