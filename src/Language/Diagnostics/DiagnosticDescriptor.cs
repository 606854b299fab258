namespace Tts.Language.Diagnostics;

/// <summary>One kind of diagnostic: a stable code, a severity and a message format (string.Format holes).</summary>
public sealed record DiagnosticDescriptor(string Id, DiagnosticSeverity Severity, string Title, string MessageFormat);
