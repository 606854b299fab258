namespace Tts.Language.Text;

/// <summary>Zero-based line and column; printed one-based, as compilers do.</summary>
public readonly record struct LinePosition(int Line, int Column)
{
    public override string ToString() => $"{Line + 1},{Column + 1}";
}
