using Microsoft.CodeAnalysis;

namespace Tts.SourceGenerators;

/// <summary>
/// Diagnostics of the generator itself (TTSG codes; see AnalyzerReleases.*.md), and the bridge that turns
/// a TTS diagnostic of the front end into a Roslyn diagnostic located in its .tts file.
/// </summary>
internal static class GeneratorDiagnostics
{
    public const string Category = "Tts";

    public static readonly DiagnosticDescriptor DuplicateClassName = new(
        id: "TTSG001",
        title: "Two .tts files generate the same class",
        messageFormat: "'{0}' generates class 'Tts.Generated.{1}', as '{2}' already does: rename one of the files",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameClash = new(
        id: "TTSG002",
        title: "Names clash in the generated C#",
        messageFormat: "{0}: rename it in the .tts file",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static Diagnostic ToRoslyn(DiagnosticModel model)
    {
        var descriptor = model.Id switch
        {
            "TTSG001" => DuplicateClassName,
            "TTSG002" => NameClash,
            _ => TtsDescriptors.Get(model.Id, model.Title, model.IsError),
        };

        return Diagnostic.Create(descriptor, model.Location.ToLocation(), model.Arguments.Select(a => (object?)a).ToArray());
    }
}
