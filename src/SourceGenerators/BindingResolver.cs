using System.Collections.Immutable;
using System.Globalization;

namespace Tts.SourceGenerators;

/// <summary>
/// Joins the two sides: each reward, verifier and extractor a .tts file declares with the C# method marked for it.
/// A name binds across the project: every .tts file declaring <c>reward orm</c> uses the one <c>[Reward("orm")]</c>
/// method.
/// </summary>
internal static class BindingResolver
{
    /// <summary>All bindings of the project, in a fixed order so the collected list is equatable whatever the file order.</summary>
    public static EquatableArray<MethodBindingModel> Flatten(IEnumerable<EquatableArray<MethodBindingModel>> methods) =>
        methods
            .SelectMany(m => m)
            .OrderBy(b => b.Kind)
            .ThenBy(b => b.Name, StringComparer.Ordinal)
            .ThenBy(b => b.ContainingType, StringComparer.Ordinal)
            .ThenBy(b => b.Method, StringComparer.Ordinal)
            .ThenBy(b => b.IsBatched)
            .ToEquatableArray();

    /// <summary>The file's declared functions with their methods: only what this file needs, so unrelated bindings leave its output cached.</summary>
    public static GenerationModel Resolve(StrategyFileModel file, EquatableArray<MethodBindingModel> bindings, bool includeRun) =>
        new(
            file,
            file.Functions
                .Select(declaration => new ResolvedFunctionModel(declaration, bindings.FirstOrDefault(b => b.Kind == declaration.Kind && b.Name == declaration.Name)))
                .ToEquatableArray(),
            includeRun);

    /// <summary>TTSG004 at each declaration of the file that no method is bound to (checked only when the project references Tts.Runtime).</summary>
    public static EquatableArray<DiagnosticModel> Unbound(GenerationModel model, EquatableArray<MethodBindingModel> bindings)
    {
        if (!model.IncludeRun)
        {
            return EquatableArray<DiagnosticModel>.Empty;
        }

        var diagnostics = new List<DiagnosticModel>();
        foreach (var function in model.Functions.Where(f => f.Method is null))
        {
            var declaration = function.Declaration;
            var kind = MethodBindingReader.KindName(declaration.Kind);
            var message = $"{kind} '{declaration.Name}' is declared but no C# method is bound to it: mark a public or internal method "
                          + $"{MethodBindingReader.ExpectedSignatures(declaration.Kind)} with [{MethodBindingReader.AttributeName(declaration.Kind)}(\"{declaration.Name}\")]";
            if (bindings.FirstOrDefault(b => b.Name == declaration.Name) is { } other)
            {
                message += $" (a method is marked [{MethodBindingReader.AttributeName(other.Kind)}(\"{declaration.Name}\")], which binds {MethodBindingReader.Article(other.Kind)}, not {MethodBindingReader.Article(declaration.Kind)})";
            }

            diagnostics.Add(new DiagnosticModel(
                GeneratorDiagnostics.UnboundFunction.Id,
                GeneratorDiagnostics.UnboundFunction.Title.ToString(CultureInfo.InvariantCulture),
                ImmutableArray.Create(message).ToEquatableArray(),
                IsError: true,
                declaration.Location));
        }

        return diagnostics.ToEquatableArray();
    }

    /// <summary>TTSG007 at every binding of a (kind, name) after the first (in path and position order).</summary>
    public static EquatableArray<DiagnosticModel> Duplicates(IEnumerable<EquatableArray<BindingSiteModel>> methods) =>
        methods
            .SelectMany(m => m)
            .GroupBy(s => (s.Kind, s.Name))
            .Where(g => g.Count() > 1)
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(s => s.Location.Path, StringComparer.Ordinal).ThenBy(s => s.Location.Start).ToList();
                var first = ordered[0];
                return ordered.Skip(1).Select(site => new DiagnosticModel(
                    GeneratorDiagnostics.DuplicateBinding.Id,
                    GeneratorDiagnostics.DuplicateBinding.Title.ToString(CultureInfo.InvariantCulture),
                    ImmutableArray.Create(
                        $"{MethodBindingReader.KindName(site.Kind)} '{site.Name}' is bound twice, by '{first.Method}' and by '{site.Method}': mark one method per name").ToEquatableArray(),
                    IsError: true,
                    site.Location));
            })
            .OrderBy(d => d.Location.Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Start)
            .ToEquatableArray();
}
