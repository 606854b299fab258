using System.Collections.Immutable;
using Tts.Language.Text;

namespace Tts.Language.Diagnostics;

/// <summary>Collects diagnostics in the order they are found; stages report here instead of throwing.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _diagnostics = new();

    public int Count => _diagnostics.Count;

    public bool HasErrors => ErrorCount > 0;

    public int ErrorCount => _diagnostics.Count(d => d.IsError);

    public void Add(Diagnostic diagnostic) => _diagnostics.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _diagnostics.AddRange(diagnostics);

    public void Report(DiagnosticDescriptor descriptor, Location location, params object?[] arguments) =>
        _diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));

    /// <summary>Sorted by position so output reads top to bottom, whatever stage found each one.</summary>
    public ImmutableArray<Diagnostic> ToImmutableSorted() =>
        _diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(p => p.d.Location.Path, StringComparer.Ordinal)
            .ThenBy(p => p.d.Location.Span.Start)
            .ThenBy(p => p.i)
            .Select(p => p.d)
            .ToImmutableArray();
}
