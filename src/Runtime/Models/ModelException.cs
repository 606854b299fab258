namespace Tts.Runtime.Models;

/// <summary>
/// A model could not be loaded or used: a malformed model file, or a prompt the model cannot
/// tokenize. The message is one line naming the file and, where relevant, the JSON location.
/// </summary>
public sealed class ModelException : Exception
{
    public ModelException(string message)
        : base(message)
    {
    }

    public ModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
