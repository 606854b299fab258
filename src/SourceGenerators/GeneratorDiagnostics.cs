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

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = new(
        id: "TTSG003",
        title: "The project does not reference Tts.Runtime",
        messageFormat: "the project has .tts strategies but does not reference Tts.Runtime: add a reference to it to get the run methods and [Reward]/[Verifier]/[AnswerExtractor] bindings (only constants and Parameters are generated)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnboundFunction = new(
        id: "TTSG004",
        title: "A declared reward, verifier or extractor has no C# method",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongSignature = new(
        id: "TTSG005",
        title: "A bound method has the wrong signature",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MethodNotBindable = new(
        id: "TTSG006",
        title: "A bound method cannot be called by generated code",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateBinding = new(
        id: "TTSG007",
        title: "A name is bound to two methods",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingName = new(
        id: "TTSG008",
        title: "A binding attribute has no name",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotCompiled = new(
        id: "TTSG009",
        title: "A strategy cannot be compiled to C# yet",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static Diagnostic ToRoslyn(DiagnosticModel model)
    {
        var descriptor = model.Id switch
        {
            "TTSG001" => DuplicateClassName,
            "TTSG002" => NameClash,
            "TTSG004" => UnboundFunction,
            "TTSG005" => WrongSignature,
            "TTSG006" => MethodNotBindable,
            "TTSG007" => DuplicateBinding,
            "TTSG008" => MissingName,
            "TTSG009" => NotCompiled,
            _ => TtsDescriptors.Get(model.Id, model.Title, model.IsError),
        };

        return Diagnostic.Create(descriptor, model.Location.ToLocation(), model.Arguments.Select(a => (object?)a).ToArray());
    }
}
