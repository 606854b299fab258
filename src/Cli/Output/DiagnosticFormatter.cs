using Tts.Language.Diagnostics;
using Tts.Language.Text;

namespace Tts.Cli.Output;

/// <summary>Prints a diagnostic as "FILE(line,col): error CODE: message", then the source line with a caret.</summary>
internal static class DiagnosticFormatter
{
    /// <summary>Every diagnostic, then "N errors" when there are any: the report `tts check` ends with.</summary>
    public static void WriteAll(TextWriter writer, IReadOnlyCollection<Diagnostic> diagnostics, SourceText source)
    {
        foreach (var diagnostic in diagnostics)
        {
            Write(writer, diagnostic, source);
        }

        var errors = diagnostics.Count(d => d.IsError);
        if (errors > 0)
        {
            writer.WriteLine($"{errors} error{(errors == 1 ? "" : "s")}");
        }
    }

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
