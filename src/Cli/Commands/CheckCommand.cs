using System.CommandLine;
using Tts.Cli.Output;

namespace Tts.Cli.Commands;

/// <summary><c>tts check FILE.tts</c>: diagnostics, or each strategy's signature and guarantee.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "The .tts file to check" };
        var command = new Command("check", "Parse and type-check a .tts file; print its diagnostics, or its strategies and their guarantees") { file };
        command.SetAction(result => Check(result.GetValue(file)!, output));
        return command;
    }

    private static int Check(string path, TextWriter output)
    {
        var compilation = SourceLoader.Compile(path);
        DiagnosticFormatter.WriteAll(output, compilation.Diagnostics, compilation.Syntax.Source);
        if (compilation.HasErrors)
        {
            return TtsCommandLine.CompileErrors;
        }

        foreach (var model in compilation.Bound.Models)
        {
            output.WriteLine($"model {model.Name}: lm");
        }

        foreach (var strategy in compilation.Bound.Strategies)
        {
            output.WriteLine($"strategy {strategy.Symbol.Signature}");
            output.WriteLine($"  guarantee: {strategy.Guarantee.LevelName}");
            output.WriteLine($"  target:    {strategy.Guarantee.Target}");
            output.WriteLine($"  because:   {strategy.Guarantee.Reason}");
        }

        return TtsCommandLine.Success;
    }
}
