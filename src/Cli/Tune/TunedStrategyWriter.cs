using System.Globalization;
using System.Text;
using Tts.Cli.Eval;
using Tts.Execution;
using Tts.Language.Syntax.Nodes;
using Tts.Semantics;

namespace Tts.Cli.Tune;

/// <summary>
/// The chosen strategy as a <c>.tts</c> file that `tts run` and the source generator take as they are: the source of its
/// file with the tuned parameters' defaults replaced by the tuned values (a parameter without a default gets one), and
/// a header comment saying where the values came from. The result is compiled again and its defaults checked.
/// </summary>
internal static class TunedStrategyWriter
{
    public static string Write(TuneCandidate candidate, IReadOnlyList<string> header)
    {
        var strategy = candidate.Strategy;
        var source = strategy.Program.Compilation.Syntax.Source.Text;
        var declaration = strategy.Program.Compilation.Syntax.Root.Declarations
            .OfType<StrategyDeclarationSyntax>()
            .Single(d => d.Name.Name == strategy.Strategy.Name);
        var edits = new List<(int Start, int Length, string Text)>();
        foreach (var (name, value) in candidate.Settings)
        {
            var parameter = declaration.Parameters.Single(p => p.Name.Name == name);
            var literal = Literal(strategy.Strategy.Parameters.Single(p => p.Name == name).Type, name, value);
            edits.Add(parameter.Default is { } old
                ? (old.Span.Start, old.Span.Length, literal)
                : (parameter.Type.Span.End, 0, " = " + literal));
        }

        var text = new StringBuilder(source);
        foreach (var (start, length, replacement) in edits.OrderByDescending(e => e.Start))
        {
            text.Remove(start, length).Insert(start, replacement);
        }

        var result = string.Concat(header.Select(line => "// " + line + "\n")) + text;
        Check(result, strategy.Path, candidate);
        return result;
    }

    private static string Literal(TtsType type, string name, string value)
    {
        if (!type.Equals(TtsType.Text))
        {
            return value;
        }

        return value.Any(c => c is '"' or '\\' or '\r' or '\n')
            ? throw new CliException($"parameter '{name}': a tuned text value with quotes, backslashes or line breaks cannot be written as a default")
            : "\"" + value + "\"";
    }

    /// <summary>The written file must compile and give the tuned values as defaults: a wrong edit is a bug, not a result.</summary>
    private static void Check(string text, string path, TuneCandidate candidate)
    {
        var program = StrategyProgram.Compile(text, path);
        if (program.HasErrors)
        {
            throw new InvalidOperationException($"the tuned strategy does not compile: {program.Diagnostics.First(d => d.IsError)}");
        }

        var written = program.Select(candidate.Strategy.Strategy.Name);
        var expected = candidate.Strategy.Strategy.ParseArguments(new Dictionary<string, string>(candidate.SettingsByName, StringComparer.Ordinal) { [candidate.Strategy.QuestionParameter] = "" });
        foreach (var (name, _) in candidate.Settings)
        {
            var actual = written.Parameters.Single(p => p.Name == name).Default;
            if (!Equals(Convert.ToString(actual, CultureInfo.InvariantCulture), Convert.ToString(expected[name], CultureInfo.InvariantCulture)))
            {
                throw new InvalidOperationException($"the tuned strategy's default for '{name}' is {actual}, not {expected[name]}");
            }
        }
    }
}
