using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Tts.SourceGenerators;

/// <summary>
/// Turns each <c>.tts</c> AdditionalFile into <c>Tts.Generated.&lt;File&gt;Strategies</c>: per strategy, a nested
/// class with its name, signature, guarantee and target, and a typed <c>Parameters</c> record. Diagnostics
/// of the language are reported as C# diagnostics located in the .tts file.
/// </summary>
/// <remarks>
/// Every step carries equatable models only, so an edit to C# code reruns nothing and an edit to one .tts
/// file reruns only that file. Diagnostics and sources are separate outputs, as in System.Text.Json's
/// generator: a change in one does not regenerate the other.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class TtsGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
    public static class Steps
    {
        public const string Files = "TtsFiles";
        public const string Parse = "TtsParse";
        public const string Models = "TtsModels";
        public const string Diagnostics = "TtsDiagnostics";
        public const string ClassNames = "TtsClassNames";
        public const string Clashes = "TtsClassNameClashes";
        public const string Sources = "TtsSources";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".tts", StringComparison.OrdinalIgnoreCase))
            .WithTrackingName(Steps.Files);

        var results = files
            .Select(static (text, cancellationToken) =>
                FileModelBuilder.Build(text.Path, text.GetText(cancellationToken)?.ToString() ?? string.Empty, cancellationToken))
            .WithTrackingName(Steps.Parse);

        var models = results.Select(static (result, _) => result.File).WithTrackingName(Steps.Models);
        var diagnostics = results.Select(static (result, _) => result.Diagnostics).WithTrackingName(Steps.Diagnostics);

        // Class names of all files, then the files that lose a clash. Both are equatable, so editing one file
        // without renaming it leaves the clash list unchanged and the other files' sources cached.
        var classNames = models
            .Select(static (file, _) => new ClassNameClaim(file.Path, file.ClassName))
            .Collect()
            .WithTrackingName(Steps.ClassNames);
        var clashes = classNames
            .Select(static (claims, _) => FindClashes(claims))
            .WithTrackingName(Steps.Clashes);

        var sources = models
            .Combine(clashes)
            .Where(static pair => !pair.Left.HasErrors && !pair.Right.Any(c => c.Path == pair.Left.Path))
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(Steps.Sources);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var diagnostic in list)
            {
                spc.ReportDiagnostic(GeneratorDiagnostics.ToRoslyn(diagnostic));
            }
        });

        context.RegisterSourceOutput(clashes, static (spc, list) =>
        {
            foreach (var clash in list)
            {
                spc.ReportDiagnostic(Diagnostic.Create(
                    GeneratorDiagnostics.DuplicateClassName,
                    LocationModel.FileStart(clash.Path).ToLocation(),
                    clash.Path,
                    clash.ClassName,
                    clash.WinnerPath));
            }
        });

        context.RegisterSourceOutput(sources, static (spc, file) =>
            spc.AddSource(SourceEmitter.HintName(file), SourceEmitter.Emit(file)));
    }

    /// <summary>For each class name claimed by several files, the first path (ordinal order) wins; the others clash.</summary>
    private static EquatableArray<ClassNameClash> FindClashes(ImmutableArray<ClassNameClaim> claims) =>
        claims
            .GroupBy(c => c.ClassName, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
                return ordered.Skip(1).Select(c => new ClassNameClash(c.Path, c.ClassName, ordered[0].Path));
            })
            .OrderBy(c => c.Path, StringComparer.Ordinal)
            .ToEquatableArray();
}
