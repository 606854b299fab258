using System.Text;
using System.Text.RegularExpressions;
using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Lowering;
using Tts.Compiler.Passes;
using Tts.Language.Syntax.Formatting;
using Tts.Language.Text;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>
/// What must hold for any input of <c>tts check</c> and <c>tts fmt</c>, checked in process on the library entry points
/// the commands call: <see cref="Compilation.Compile(SourceText, OptimizationLevel)"/> (parse, bind, lower, the -O1
/// passes, each verified by <see cref="IrVerifier"/>), <see cref="Lowerer.Unsupported"/> and the printed guarantee of
/// every strategy, and <see cref="SyntaxPrinter.Format"/>. No exception escapes; every diagnostic has a TTSnnnn
/// code, a message, and a one-based line and column inside the text; a program without errors lowers to verified IR,
/// and its formatted text has no errors, formats to itself, and lowers too (at -O0, as fmt compiles).
/// </summary>
public static class FrontEndOracle
{
    private static readonly Regex DiagnosticCode = new(@"^TTS\d{4}$", RegexOptions.CultureInvariant);

    /// <summary>Why <paramref name="text"/> breaks a promise of check or fmt; null when none is broken.</summary>
    public static string? Violation(string text) => Check(text).Violation;

    /// <summary>
    /// Why <paramref name="text"/> breaks a promise of check or fmt (null when none is broken), and whether it was a
    /// program without errors (so it was lowered, optimized, verified and formatted).
    /// </summary>
    public static (string? Violation, bool Lowered) Check(string text)
    {
        try
        {
            var compilation = Compilation.Compile(SourceText.From(text, "fuzz.tts"), OptimizationLevel.O1);
            var source = compilation.Syntax.Source;
            foreach (var diagnostic in compilation.Diagnostics)
            {
                var span = diagnostic.Location.Span;
                var start = diagnostic.Location.Start;
                if (!DiagnosticCode.IsMatch(diagnostic.Id) || string.IsNullOrWhiteSpace(diagnostic.Message))
                {
                    return ($"diagnostic without a code or a message: {diagnostic}", false);
                }

                if (span.Start < 0 || span.Start > span.End || span.End > text.Length
                    || start.Line < 0 || start.Line >= source.LineCount || start.Column < 0
                    || start != source.GetLinePosition(span.Start))
                {
                    return ($"diagnostic {diagnostic.Id} is located outside the text (span {span}, line {start.Line + 1}, column {start.Column + 1}, {source.LineCount} lines, {text.Length} characters): {diagnostic.Message}", false);
                }
            }

            if (compilation.HasErrors)
            {
                return (null, false);
            }

            if (ProgramViolation(compilation, "check") is { } lowering)
            {
                return (lowering, true);
            }

            var formatted = SyntaxPrinter.Format(compilation.Syntax).Text;
            if (formatted is null)
            {
                return ("fmt: a program without errors has no formatted text", true);
            }

            // As `tts fmt` compiles: the front end and lowering, without the -O1 passes.
            var reformatted = Compilation.Compile(SourceText.From(formatted, "fuzz.tts"), OptimizationLevel.O0);
            if (reformatted.HasErrors)
            {
                return ($"fmt: the formatted text has errors: {string.Join("; ", reformatted.Diagnostics.Where(d => d.IsError))}\n--- formatted\n{formatted}", true);
            }

            var again = SyntaxPrinter.Format(reformatted.Syntax).Text;
            if (again != formatted)
            {
                return ($"fmt is not a fixed point:\n--- fmt(x)\n{formatted}\n--- fmt(fmt(x))\n{again}", true);
            }

            return (ProgramViolation(reformatted, "fmt output"), true);
        }
        catch (Exception e)
        {
            return ($"{e.GetType().Name} escaped: {e.Message}\n{e.StackTrace}", false);
        }
    }

    /// <summary>A short, printable form of an input for a failure message (control characters escaped).</summary>
    public static string Show(string text)
    {
        var shown = text.Length <= 2000 ? text : text[..2000] + $"... ({text.Length} characters)";
        var builder = new StringBuilder();
        foreach (var c in shown)
        {
            builder.Append(c is '\n' or '\t' || (!char.IsControl(c) && !char.IsSurrogate(c) && c is not '\u2028' and not '\u2029')
                ? c.ToString()
                : $"\\u{(int)c:X4}");
        }

        return builder.ToString();
    }

    private static string? ProgramViolation(Compilation compilation, string stage)
    {
        if (compilation.Lowered is null || compilation.Optimized is null)
        {
            return $"{stage}: a program without errors was not lowered";
        }

        foreach (var function in compilation.Lowered.Functions.Concat(compilation.Optimized.Functions))
        {
            IrVerifier.Verify(function, stage);
        }

        foreach (var strategy in compilation.Bound.Strategies)
        {
            _ = Lowerer.Unsupported(strategy, compilation.Bound);
            if (string.IsNullOrEmpty(strategy.Guarantee.LevelName) || strategy.Guarantee.Target is null || strategy.Guarantee.Reason is null)
            {
                return $"{stage}: strategy {strategy.Symbol.Name} has no printable guarantee";
            }

            _ = strategy.Budget.ToString();
        }

        return null;
    }
}
