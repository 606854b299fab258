using System.CommandLine;
using Tts.Cli.Commands;
using Tts.Engines.Remote;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;

namespace Tts.Cli;

/// <summary>
/// The `tts` command line. Every user error ends as one line on stderr ("tts: error: ...") and a non-zero
/// exit code; stack traces are only for bugs.
/// </summary>
public static class TtsCommandLine
{
    public const int Success = 0;
    public const int CompileErrors = 1;
    public const int UsageError = 2;
    public const int RunError = 3;

    /// <summary>Exit code of a run stopped because the reader of its output went away (as for a process killed by SIGPIPE).</summary>
    public const int OutputClosed = 141;

    /// <param name="outputClosed">Cancelled when the reader of <paramref name="output"/> has gone: every command then stops
    /// (at its next write, or mid-compute where the compute takes <see cref="Output.ClosedOutputWriter.ClosedOf"/> its
    /// output) and exits with <see cref="OutputClosed"/>, writing nothing more.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken outputClosed = default)
    {
        output = outputClosed.CanBeCanceled ? new Output.ClosedOutputWriter(output, outputClosed) : output;
        var root = new RootCommand("tts: a language and compiler for inference-time strategies over language models")
        {
            CheckCommand.Create(output),
            RunCommand.Create(output, error),
            CompileCommand.Create(output),
            FmtCommand.Create(output),
            TrainCommand.Create(output),
            EvalCommand.Create(output, error),
            TuneCommand.Create(output, error),
            TestCommand.Create(output, error),
            BenchCommand.Create(output, error),
            ServeCommand.Create(output, error),
            ExportCommand.Create(output),
            PlotCommand.Create(output),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var help = command == root ? "tts --help" : $"tts {command.Name} --help";
            error.WriteLine($"tts: error: {Output.DiagnosticFormatter.Printable(parsed.Errors[0].Message)} (see `{help}`)");
            return UsageError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException) when (outputClosed.IsCancellationRequested)
        {
            // The reader of the output has gone (`| head -1`): stop, quietly, as a process killed by SIGPIPE would.
            return OutputClosed;
        }
        catch (Exception e) when (e is CliException or RuntimeException or ModelException or RemoteException or Tts.Semantics.EvaluationException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"tts: error: {Output.DiagnosticFormatter.Printable(e.Message)}");
            return e is RuntimeException or ModelException or RemoteException ? RunError : UsageError;
        }
    }
}
