namespace Tts.Language.Text;

/// <summary>The text of one .tts file with its path, and the line map that turns offsets into lines and columns.</summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    private SourceText(string path, string text)
    {
        Path = path;
        Text = text;
        _lineStarts = ComputeLineStarts(text);
    }

    /// <summary>The path as the user gave it; used verbatim in diagnostics.</summary>
    public string Path { get; }

    public string Text { get; }

    public int LineCount => _lineStarts.Length;

    public static SourceText From(string text, string path = "<input>") => new(path, text);

    /// <summary>Zero-based line and column of an offset.</summary>
    public LinePosition GetLinePosition(int offset)
    {
        offset = Math.Max(0, Math.Min(offset, Text.Length));
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new LinePosition(line, offset - _lineStarts[line]);
    }

    public int GetOffset(int line, int column) => _lineStarts[line] + column;

    public string GetLineText(int line)
    {
        var start = _lineStarts[line];
        var end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        return Text.Substring(start, end - start).TrimEnd('\r', '\n');
    }

    public Location GetLocation(TextSpan span) => new(Path, span, GetLinePosition(span.Start), GetLinePosition(span.End));

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts.ToArray();
    }
}
