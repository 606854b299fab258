namespace Tts.Language.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}
