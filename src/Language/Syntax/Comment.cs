using Tts.Language.Text;

namespace Tts.Language.Syntax;

/// <summary>
/// A <c>// line</c> or <c>/* block */</c> comment, kept beside the AST (never in it) so that AST equality
/// ignores comments. <see cref="Text"/> is the comment exactly as written, delimiters included.
/// </summary>
public sealed record Comment(TextSpan Span, string Text)
{
    public bool IsLineComment => Text.StartsWith("//", StringComparison.Ordinal);
}
