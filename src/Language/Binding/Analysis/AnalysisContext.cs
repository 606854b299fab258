using Tts.Language.Diagnostics;
using Tts.Language.Text;

namespace Tts.Language.Binding.Analysis;

/// <summary>What every analysis shares: the source its spans point into, and the bag it reports to.</summary>
internal sealed class AnalysisContext
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;

    public AnalysisContext(SourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments) =>
        _diagnostics.Report(descriptor, _source.GetLocation(span), arguments);

    /// <summary>The source text under a span ("" for a span with no text, e.g. a filled-in default).</summary>
    public string SourceOf(TextSpan span) =>
        span.Length == 0 || span.End > _source.Text.Length ? "" : _source.Text.Substring(span.Start, span.Length);
}
