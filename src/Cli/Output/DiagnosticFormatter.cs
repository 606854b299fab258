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

    /// <summary>
    /// What a command that runs only <paramref name="strategy"/> (null: every strategy) prints: every error (any one
    /// stops the file), and the warnings that are not inside another strategy's declaration.
    /// </summary>
    public static IReadOnlyCollection<Diagnostic> Relevant(Tts.Compiler.Driver.Compilation compilation, string? strategy)
    {
        if (strategy is null || compilation.HasErrors)
        {
            return compilation.Diagnostics;
        }

        var others = compilation.Syntax.Root.Declarations.OfType<Tts.Language.Syntax.Nodes.StrategyDeclarationSyntax>()
            .Where(d => d.Name.Name != strategy)
            .Select(d => d.Span)
            .ToList();
        return compilation.Diagnostics
            .Where(d => d.IsError || !others.Any(span => span.Start <= d.Location.Span.Start && d.Location.Span.Start < span.End))
            .ToList();
    }

    public static void Write(TextWriter writer, Diagnostic diagnostic, SourceText source)
    {
        writer.WriteLine(Printable(diagnostic.ToString()));
        var start = diagnostic.Location.Start;
        if (start.Line >= source.LineCount)
        {
            return;
        }

        // The line as printed, escapes included, with the caret under the same characters.
        var line = source.GetLineText(start.Line).Replace('\t', ' ');
        var from = Math.Min(start.Column, line.Length);
        var to = diagnostic.Location.End.Line == start.Line ? Math.Min(Math.Max(from, diagnostic.Location.End.Column), line.Length) : from;
        var before = Printable(line[..from]);
        var width = Math.Max(1, Printable(line[from..to]).Length);
        writer.WriteLine($"    {Printable(line)}");
        writer.WriteLine($"    {new string(' ', before.Length)}{new string('^', width)}");
    }

    /// <summary>
    /// <paramref name="text"/> safe to print on a terminal: control characters (an escape sequence in a file must not
    /// recolour or clear the user's screen), line and paragraph separators and lone surrogates become \uXXXX.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair)
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (NeedsEscape(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) => (char.IsControl(c) && c != '\t') || char.IsSurrogate(c) || c is '\u2028' or '\u2029';
}
