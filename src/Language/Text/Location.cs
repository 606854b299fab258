namespace Tts.Language.Text;

/// <summary>Where a diagnostic points: file, character span, and the line positions of both ends.</summary>
public sealed record Location(string Path, TextSpan Span, LinePosition Start, LinePosition End)
{
    /// <summary>The MSBuild-style prefix "path(line,col)" that editors and CI logs understand.</summary>
    public override string ToString() => $"{Path}({Start})";
}
