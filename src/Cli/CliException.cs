namespace Tts.Cli;

/// <summary>A user error found by the CLI itself (bad option value, missing file); printed as one line.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }
}
