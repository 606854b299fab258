using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Tts.SourceGenerators;

/// <summary>
/// Turns each <c>.tts</c> AdditionalFile into <c>Tts.Generated.&lt;File&gt;Strategies</c>: per strategy, a nested
/// class with its name, signature, guarantee and target, a typed <c>Parameters</c> record, a typed <c>Result</c>
/// and run methods that take the strategy's models and run it through Tts.Runtime, with its rewards, verifiers and
/// extractors bound to the C# methods marked <c>[Reward]</c>, <c>[Verifier]</c> and <c>[AnswerExtractor]</c>.
/// Diagnostics of the language are reported as C# diagnostics located in the .tts file.
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
        public const string Runtime = "TtsRuntimeReferenced";
        public const string Methods = "TtsBoundMethods";
        public const string Bindings = "TtsBindings";
        public const string Duplicates = "TtsDuplicateBindings";
        public const string Resolved = "TtsResolved";
        public const string Unbound = "TtsUnbound";
        public const string Sources = "TtsSources";
    }

    /// <summary>The type whose presence says the project references Tts.Runtime (the generated run methods call it).</summary>
    public const string HostTypeName = "Tts.Runtime.Hosting.StrategyRunner";

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

        // The C# side: methods marked [Reward], [Verifier] or [AnswerExtractor], read without their locations for
        // generation (so editing around them regenerates nothing) and with them for diagnostics.
        var runtime = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(HostTypeName) is not null)
            .WithTrackingName(Steps.Runtime);
        var methods = Attributed(context, BindingKind.Reward)
            .Collect()
            .Combine(Attributed(context, BindingKind.Verifier).Collect())
            .Combine(Attributed(context, BindingKind.Extractor).Collect())
            .Select(static (all, _) => all.Left.Left.AddRange(all.Left.Right).AddRange(all.Right).ToEquatableArray())
            .WithTrackingName(Steps.Methods);
        var bindings = methods
            .Select(static (all, _) => BindingResolver.Flatten(all.Select(m => m.Bindings)))
            .WithTrackingName(Steps.Bindings);
        var duplicates = methods
            .Select(static (all, _) => BindingResolver.Duplicates(all.Select(m => m.Sites)))
            .WithTrackingName(Steps.Duplicates);
        var methodDiagnostics = methods
            .Select(static (all, _) => all.SelectMany(m => m.Diagnostics).ToEquatableArray());

        var resolved = models
            .Combine(bindings.Combine(runtime))
            .Select(static (pair, _) => BindingResolver.Resolve(pair.Left, pair.Right.Left, pair.Right.Right))
            .WithTrackingName(Steps.Resolved);
        var unbound = resolved
            .Combine(bindings)
            .Select(static (pair, _) => BindingResolver.Unbound(pair.Left, pair.Right))
            .WithTrackingName(Steps.Unbound);

        var sources = resolved
            .Combine(clashes)
            .Where(static pair => !pair.Left.File.HasErrors && !pair.Right.Any(c => c.Path == pair.Left.File.Path))
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(Steps.Sources);

        var runtimeMissing = models
            .Collect()
            .Combine(runtime)
            .Select(static (pair, _) => pair.Left.Length > 0 && !pair.Right);
        context.RegisterSourceOutput(runtimeMissing, static (spc, missing) =>
        {
            if (missing)
            {
                spc.ReportDiagnostic(Diagnostic.Create(GeneratorDiagnostics.RuntimeNotReferenced, Location.None));
            }
        });

        foreach (var list in new[] { methodDiagnostics, duplicates })
        {
            context.RegisterSourceOutput(list, static (spc, diagnostics) => Report(spc, diagnostics));
        }

        context.RegisterSourceOutput(unbound, static (spc, diagnostics) => Report(spc, diagnostics));

        context.RegisterSourceOutput(diagnostics, static (spc, list) => Report(spc, list));

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

        context.RegisterSourceOutput(sources, static (spc, model) =>
            spc.AddSource(SourceEmitter.HintName(model.File), SourceEmitter.Emit(model)));
    }

    private static IncrementalValuesProvider<AttributedMethodModel> Attributed(IncrementalGeneratorInitializationContext context, BindingKind kind) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(
            MethodBindingReader.AttributeMetadataName(kind),
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            (attributeContext, cancellationToken) => MethodBindingReader.Read(attributeContext, kind, cancellationToken));

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticModel> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(GeneratorDiagnostics.ToRoslyn(diagnostic));
        }
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
