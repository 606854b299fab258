using System.CommandLine;
using Tts.Cli.Output;
using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Language.Syntax.Formatting;
using Tts.Language.Text;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts fmt FILE.tts [--write | --check]</c>: prints the canonical form, rewrites the file with it, or (for CI)
/// fails when the file is not in it. A file with errors (syntax or check) is never formatted; a file that is not
/// UTF-8 is refused. <c>--write</c> replaces the file atomically and keeps its byte order mark and CRLF line ends.
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

        var file = EncodedSourceFile.Read(path);

        // The full check, not only the parse: block nesting the check rejects (a fork in a fork, TTS0137) is what
        // makes the printer's indentation grow with depth squared, so a rejected file is never printed.
        var compilation = Compilation.Compile(SourceText.From(file.Text, path), OptimizationLevel.O0);
        if (compilation.HasErrors)
        {
            DiagnosticFormatter.WriteAll(output, compilation.Diagnostics, compilation.Syntax.Source);
            return TtsCommandLine.CompileErrors;
        }

        var formatted = SyntaxPrinter.Format(compilation.Syntax).Text
                        ?? throw new InvalidOperationException("a file that passes the check has no syntax errors");
        var changed = file.WithLineEnds(formatted) != file.Text;
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
                AtomicFile.Replace(path, file.Encode(formatted));
            }
        }
        else
        {
            output.Write(formatted);
        }

        return TtsCommandLine.Success;
    }
}
