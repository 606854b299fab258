using System.Text;

namespace Tts.Compiler.Emit;

/// <summary>Writes lines of C# with four-space indentation and '\n' line ends (the output is stable across platforms).</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4).Append(line);
        }

        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents until the scope is disposed.</summary>
    public IDisposable Block(string? header = null, string closing = "}")
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _depth++;
        return new Closer(this, closing);
    }

    /// <summary>The indentation depth, for continuation lines (an argument list over several lines).</summary>
    public int Indent
    {
        get => _depth;
        set => _depth = value;
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer(CodeWriter writer, string closing) : IDisposable
    {
        public void Dispose()
        {
            writer._depth--;
            writer.Line(closing);
        }
    }
}
