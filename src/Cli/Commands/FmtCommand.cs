using System.CommandLine;
using Tts.Cli.Output;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Formatting;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts fmt FILE.tts [--write | --check]</c>: prints the canonical form, rewrites the file with it, or (for CI)
/// fails when the file is not in it. A file with syntax errors is never formatted.
/// </summary>
internal static class FmtCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "The .tts file to format" };
        var write = new Option<bool>("--write") { Description = "Rewrite the file in place (only when its form changes)" };
        var check = new Option<bool>("--check") { Description = "Print nothing and exit 0 when the file is formatted; else print FILE: not formatted and exit 1" };
        var command = new Command("fmt", "Print a .tts file in the canonical style (comments kept)") { file, write, check };
        command.SetAction(result => Format(result.GetValue(file)!, result.GetValue(write), result.GetValue(check), output));
        return command;
    }

    private static int Format(string path, bool write, bool check, TextWriter output)
    {
        if (write && check)
        {
            throw new CliException("--write and --check cannot be used together");
        }

        var source = SourceLoader.Read(path);
        var formatted = SyntaxPrinter.Format(SyntaxTree.Parse(source));
        if (formatted.Text is null)
        {
            DiagnosticFormatter.WriteAll(output, formatted.Diagnostics, source);
            return TtsCommandLine.CompileErrors;
        }

        var changed = formatted.Text != source.Text;
        if (check)
        {
            if (changed)
            {
                output.WriteLine($"{path}: not formatted");
                return TtsCommandLine.CompileErrors;
            }
        }
        else if (write)
        {
            if (changed)
            {
                File.WriteAllText(path, formatted.Text);
            }
        }
        else
        {
            output.Write(formatted.Text);
        }

        return TtsCommandLine.Success;
    }
}
