using System.Text;
using System.Text.RegularExpressions;
using Antlr4.Runtime;
using FsCheck;
using FsCheck.Fluent;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Generated;
using Tts.Language.Syntax.Nodes;
using Tts.TestSupport;

namespace Tts.Language.Tests.Formatting;

/// <summary>
/// Parsing and binding never throw on any input; every diagnostic is coded and located inside the text; and
/// an input is only ever accepted without errors when it really is a program: no holes in its AST, no token
/// outside a declaration, and it survives the printer.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class ParserRobustnessProperties
{
    private static readonly Regex DiagnosticCode = new(@"^TTS\d{4}$", RegexOptions.CultureInvariant);

    /// <summary>Tokens of a mutation: whitespace runs, comments, strings, words, or any single character.</summary>
    private static readonly Regex MutationToken = new(
        @"\s+|//[^\n]*|/\*.*?\*/|""(?:\\.|[^""\\\n])*""|\w+|.",
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static readonly string[] InsertableTokens =
    {
        "model", "strategy", "population", "sample", "let", "return", "smc", "search", "extend", "factor", "observe", "condition",
        "twist", "score", "fork", "refine", "race", "first", "by", "with", "claims", "budget", "reward", "not", "and",
        "{", "}", "(", ")", "[", "]", ",", ":", "=", "+=", "->", "<=", "<", "-", "*", "/", "\"", "\"x\"", "1", "1.5", "1e999",
        "99999999999999999999", "/*", "*/", "//", "\n", " ", "\\q", "#", "\u0000", "é",
    };

    private static readonly Lazy<string[]> ValidPrograms = new(() =>
        Directory.GetFiles(RepoPaths.Combine("examples"), "*.tts", SearchOption.AllDirectories)
            .Append(RepoPaths.Combine("tests", "Language.Tests", "FormatterGolden", "messy.tts"))
            .Concat(Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "ok_*.tts"))
            .Select(File.ReadAllText)
            .ToArray());

    [Fact]
    public void Random_bytes_never_crash_the_front_end()
    {
        var bytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Resize(200).ToArbitrary();
        Prop.ForAll(bytes, data =>
        {
            AssertFrontEndIsRobust(Encoding.UTF8.GetString(data));
            AssertFrontEndIsRobust(new string(data.Select(b => (char)b).ToArray()));
        }).Check(PrinterProperties.Replayed(maxTest: 200, endSize: 200, seed: 1));
    }

    [Fact]
    public void Random_text_never_crashes_the_front_end()
    {
        var pieces = Gen.Frequency(
            (4, Gen.Elements(InsertableTokens)),
            (3, Gen.Choose(32, 126).Select(c => ((char)c).ToString())),
            (1, Gen.Choose(0, 31).Select(c => ((char)c).ToString())),
            (1, Gen.Choose(127, 0xFFFF).Select(c => ((char)c).ToString())));
        var texts = Gen.ArrayOf(pieces).Resize(80).Select(string.Concat).ToArbitrary();
        Prop.ForAll(texts, AssertFrontEndIsRobust).Check(PrinterProperties.Replayed(maxTest: 300, endSize: 80, seed: 2));
    }

    [Fact]
    public void Mutated_programs_never_crash_the_front_end()
    {
        var mutated =
            from program in Gen.Elements(ValidPrograms.Value)
            from count in Gen.Choose(1, 3)
            from mutations in Gen.ArrayOf(Mutation, count)
            select mutations.Aggregate(program, (text, mutate) => mutate(text));
        Prop.ForAll(mutated.ToArbitrary(), AssertFrontEndIsRobust).Check(PrinterProperties.Replayed(maxTest: 400, endSize: 10, seed: 3));
    }

    [Fact]
    public void Unmutated_programs_are_accepted_by_the_oracle()
    {
        Assert.All(ValidPrograms.Value, AssertFrontEndIsRobust);
    }

    /// <summary>Deletes, inserts, duplicates or swaps one token or one character, at random positions.</summary>
    private static Gen<Func<string, string>> Mutation =>
        from kind in Gen.Choose(0, 7)
        from position in Gen.Choose(0, int.MaxValue)
        from other in Gen.Choose(0, int.MaxValue)
        from inserted in Gen.Elements(InsertableTokens)
        select (Func<string, string>)(text => kind < 4
            ? string.Concat(Mutate(MutationToken.Matches(text).Cast<Match>().Select(m => m.Value).ToList(), kind, position, other, inserted))
            : string.Concat(Mutate(text.Select(c => c.ToString()).ToList(), kind - 4, position, other, inserted)));

    private static List<string> Mutate(List<string> units, int kind, int position, int other, string inserted)
    {
        if (units.Count == 0)
        {
            units.Add(inserted);
            return units;
        }

        var at = position % units.Count;
        switch (kind)
        {
            case 0:
                units.RemoveAt(at);
                break;
            case 1:
                units.Insert(at, inserted);
                break;
            case 2:
                units.Insert(at, units[at]);
                break;
            default:
                var with = other % units.Count;
                (units[at], units[with]) = (units[with], units[at]);
                break;
        }

        return units;
    }

    private static void AssertFrontEndIsRobust(string text)
    {
        SyntaxTree tree;
        var diagnostics = new DiagnosticBag();
        try
        {
            tree = SyntaxTree.Parse(text, "random.tts");
            diagnostics.AddRange(tree.Diagnostics);
            Binder.Bind(tree, diagnostics);
        }
        catch (Exception e)
        {
            Assert.Fail($"the front end threw on {Show(text)}:\n{e}");
            return;
        }

        foreach (var diagnostic in diagnostics.ToImmutableSorted())
        {
            Assert.Matches(DiagnosticCode, diagnostic.Id);
            var span = diagnostic.Location.Span;
            Assert.True(
                span.Start >= 0 && span.Start <= span.End && span.End <= text.Length,
                $"{diagnostic} has span {span} outside the text (length {text.Length}) of {Show(text)}");
        }

        if (!tree.Diagnostics.Any(d => d.IsError))
        {
            AssertReallyAProgram(tree, text);
        }
    }

    /// <summary>What "accepted without syntax errors" must mean, checked without looking at the diagnostics.</summary>
    private static void AssertReallyAProgram(SyntaxTree tree, string text)
    {
        var hole = SyntaxEquivalence.DescendantsAndSelf(tree.Root)
            .FirstOrDefault(n => n is MissingExpressionSyntax || n is IdentifierSyntax { IsMissing: true });
        Assert.True(hole is null, $"no syntax error, but the AST has a hole ({hole}) for {Show(text)}");

        var lexer = new TtsLexer(new AntlrInputStream(text));
        lexer.RemoveErrorListeners();
        foreach (var token in lexer.GetAllTokens().Where(t => t.Channel == TokenConstants.DefaultChannel))
        {
            Assert.True(
                tree.Root.Declarations.Any(d => d.Span.Start <= token.StartIndex && token.StopIndex < d.Span.End),
                $"no syntax error, but token '{token.Text}' at {token.StartIndex} belongs to no declaration in {Show(text)}");
        }

        FormattingAssertions.AssertRoundTrips(text, Show(text));
    }

    private static string Show(string text) => text.Length <= 300 ? $"\"{text}\"" : $"\"{text.Substring(0, 300)}...\"";
}
