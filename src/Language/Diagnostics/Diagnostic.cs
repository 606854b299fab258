using System.Globalization;
using Tts.Language.Text;

namespace Tts.Language.Diagnostics;

/// <summary>A located, coded message about a source file. Produced by every stage, never thrown.</summary>
public sealed record Diagnostic(DiagnosticDescriptor Descriptor, Location Location, string Message)
{
    public string Id => Descriptor.Id;

    public DiagnosticSeverity Severity => Descriptor.Severity;

    public bool IsError => Severity == DiagnosticSeverity.Error;

    public static Diagnostic Create(DiagnosticDescriptor descriptor, Location location, params object?[] arguments) =>
        new(descriptor, location, string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, arguments));

    /// <summary>"path(line,col): error TTS0001: message", the format MSBuild, editors and CI logs parse.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{Location}: {severity} {Id}: {Message}";
    }
}
