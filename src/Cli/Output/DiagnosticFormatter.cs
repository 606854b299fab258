using Tts.Language.Diagnostics;
using Tts.Language.Text;

namespace Tts.Cli.Output;

/// <summary>Prints a diagnostic as "FILE(line,col): error CODE: message", then the source line with a caret.</summary>
internal static class DiagnosticFormatter
{
    public static void Write(TextWriter writer, Diagnostic diagnostic, SourceText source)
    {
        writer.WriteLine(diagnostic.ToString());
        var start = diagnostic.Location.Start;
        if (start.Line >= source.LineCount)
        {
            return;
        }

        var line = source.GetLineText(start.Line).Replace('\t', ' ');
        var width = diagnostic.Location.End.Line == start.Line ? Math.Max(1, diagnostic.Location.End.Column - start.Column) : 1;
        writer.WriteLine($"    {line}");
        writer.WriteLine($"    {new string(' ', Math.Min(start.Column, line.Length))}{new string('^', width)}");
    }
}
