using System.Collections.Immutable;
using Tts.Language.Diagnostics;

namespace Tts.Language.Syntax.Formatting;

/// <summary>The canonical text of a file, or, when it has syntax errors, those errors and no text.</summary>
public sealed record FormattingResult(string? Text, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool Succeeded => Text is not null;
}
