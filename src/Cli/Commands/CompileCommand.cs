using System.CommandLine;
using Tts.Cli.Output;
using Tts.Compiler.Driver;
using Tts.Compiler.Passes;

namespace Tts.Cli.Commands;

/// <summary><c>tts compile FILE.tts --emit ast|bound|ir|ir-opt|cs [-O0|-O1]</c>: dumps one stage of the pipeline.</summary>
internal static class CompileCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "The .tts file to compile" };
        var emit = new Option<string>("--emit")
        {
            Description = "The stage to print: ast, bound, ir, ir-opt, or cs (the optimized IR as C#)",
            DefaultValueFactory = _ => "ir-opt",
        };
        emit.AcceptOnlyFromAmong("ast", "bound", "ir", "ir-opt", "cs");
        var level = new Option<string>("--optimize", "-O")
        {
            Description = "Optimization level for ir-opt and cs: 0 or 1",
            DefaultValueFactory = _ => "1",
        };
        level.AcceptOnlyFromAmong("0", "1");
        var command = new Command("compile", "Compile a .tts file and print one stage of the pipeline") { file, emit, level };
        command.SetAction(result => Compile(result.GetValue(file)!, result.GetValue(emit)!, result.GetValue(level)!, output));
        return command;
    }

    private static int Compile(string path, string emit, string level, TextWriter output)
    {
        var compilation = SourceLoader.Compile(path, level == "0" ? OptimizationLevel.O0 : OptimizationLevel.O1);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            DiagnosticFormatter.Write(output, diagnostic, compilation.Syntax.Source);
        }

        var stage = emit switch
        {
            "ast" => CompilerStage.Ast,
            "bound" => CompilerStage.Bound,
            "ir" => CompilerStage.Ir,
            "cs" => CompilerStage.CSharp,
            _ => CompilerStage.IrOpt,
        };

        // The AST and the bound tree exist even for a program with errors (that is when they help most).
        if (compilation.HasErrors && stage is CompilerStage.Ir or CompilerStage.IrOpt or CompilerStage.CSharp)
        {
            return TtsCommandLine.CompileErrors;
        }

        output.Write(StageDumper.Dump(compilation, stage));
        return compilation.HasErrors ? TtsCommandLine.CompileErrors : TtsCommandLine.Success;
    }
}
