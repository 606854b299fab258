using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Tts.TestSupport;

namespace Tts.SourceGenerators.Tests;

public class DiagnosticTests
{
    [Fact]
    public void Syntax_error_is_reported_in_the_tts_file()
    {
        const string path = "/project/broken.tts";
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText(path, """
            model policy: lm

            strategy broken(prompt: text -> text {
                return prompt
            }
            """));

        Assert.Empty(result.GeneratedTrees);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTS0001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(LocationKind.ExternalFile, diagnostic.Location.Kind);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, span.Path);
        Assert.Equal(new LinePosition(2, 29), span.StartLinePosition); // "->" at line 3, column 30
        Assert.Contains("expected ')'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Type_error_is_reported_in_the_tts_file()
    {
        const string path = "/project/typed.tts";
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText(path, """
            model policy: lm

            strategy typed(prompt: text) -> text {
                population xs = sample policy(prompt)
                return len(prompt)
            }
            """));

        Assert.Empty(result.GeneratedTrees);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTS0114", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, span.Path);
        Assert.Equal(new LinePosition(4, 11), span.StartLinePosition); // "len(prompt)" at line 5, column 12
        Assert.Equal(new LinePosition(4, 22), span.EndLinePosition);
        Assert.Equal("strategy 'typed' is declared to return text, but this expression is int", diagnostic.GetMessage());
        Assert.Equal("Return type mismatch", diagnostic.Descriptor.Title.ToString());
    }

    /// <summary>The front end's golden programs that have errors: every one of them, so every TTS error code goes through Roslyn.</summary>
    public static TheoryData<string> GoldenErrorPrograms() => new(GoldenErrorNames());

    private static List<string> GoldenErrorNames() =>
        Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.expected")
            .Where(expected => File.ReadLines(expected).Any(line => Regex.IsMatch(line, @"^\S+\.tts\(\d+,\d+\): error TTS\d+: ")))
            .Select(expected => Path.GetFileNameWithoutExtension(expected))
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every bad program of the front end's golden tests: the same codes, places and messages, through Roslyn.</summary>
    [Theory]
    [MemberData(nameof(GoldenErrorPrograms))]
    public void Golden_errors_match_the_front_end(string name)
    {
        var directory = RepoPaths.Combine("tests", "Language.Tests", "Golden");
        var text = File.ReadAllText(Path.Combine(directory, name + ".tts"));
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText($"/project/{name}.tts", text));

        var expected = File.ReadAllLines(Path.Combine(directory, name + ".expected"))
            .Select(line => Regex.Match(line, @"^\S+\.tts\((\d+),(\d+)\): (error|warning) (TTS\d+): (.*)$"))
            .Where(m => m.Success)
            .Select(m => $"({m.Groups[1].Value},{m.Groups[2].Value}) {m.Groups[3].Value} {m.Groups[4].Value}: {m.Groups[5].Value}")
            .ToList();
        var actual = diagnostics
            .Select(d => (Span: d.Location.GetLineSpan(), Diagnostic: d))
            .Select(p => $"({p.Span.StartLinePosition.Line + 1},{p.Span.StartLinePosition.Character + 1}) "
                + $"{(p.Diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning")} {p.Diagnostic.Id}: {p.Diagnostic.GetMessage()}")
            .ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
        Assert.All(diagnostics, d => Assert.Equal($"/project/{name}.tts", d.Location.GetLineSpan().Path));
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void Golden_error_programs_produce_every_error_code_of_the_language()
    {
        var directory = RepoPaths.Combine("tests", "Language.Tests", "Golden");
        var produced = GoldenErrorNames()
            .SelectMany(name => GeneratorHarness.Run(new InMemoryAdditionalText("/project/x.tts", File.ReadAllText(Path.Combine(directory, name + ".tts")))).Diagnostics)
            .Select(d => d.Id)
            .ToHashSet(StringComparer.Ordinal);
        var missing = Tts.Language.Diagnostics.DiagnosticDescriptors.All
            .Where(d => d.Severity == Tts.Language.Diagnostics.DiagnosticSeverity.Error && !produced.Contains(d.Id))
            .Select(d => d.Id)
            .ToList();
        Assert.True(missing.Count == 0, "no golden program reaches the generator with " + string.Join(", ", missing));
    }

    [Fact]
    public void Two_files_with_the_same_class_name_report_TTSG001()
    {
        const string text = """
            model policy: lm

            strategy once(prompt: text = "") -> text {
                population xs = sample policy(prompt)
                return sample(xs)
            }
            """;
        var (result, _, diagnostics) = GeneratorHarness.Run(
            new InMemoryAdditionalText("/project/b/best-of-n.tts", text),
            new InMemoryAdditionalText("/project/a/best_of_n.tts", text));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("/project/b/best-of-n.tts", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(
            "'/project/b/best-of-n.tts' generates class 'Tts.Generated.BestOfNStrategies', as '/project/a/best_of_n.tts' already does: rename one of the files",
            diagnostic.GetMessage());
        var source = Assert.Single(result.GeneratedTrees);
        Assert.EndsWith("Tts.Generated.BestOfNStrategies.g.cs", source.FilePath, StringComparison.Ordinal);
        Assert.Contains("from best_of_n.tts", source.GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Names_that_clash_in_CSharp_report_TTSG002()
    {
        const string path = "/project/clash.tts";
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText(path, """
            model policy: lm

            strategy signature(top_k: int = 1, topK: int = 2) -> text {
                population xs = sample policy("", top_k: top_k + topK)
                return sample(xs)
            }
            """));

        Assert.Empty(result.GeneratedTrees);
        Assert.All(diagnostics, d => Assert.Equal("TTSG002", d.Id));
        Assert.Equal(
            new[]
            {
                "(2,9) strategy 'signature' becomes class 'Signature', which would clash with its member 'Signature': rename it in the .tts file",
                "(2,35) parameter 'topK' becomes property 'TopK', as parameter 'top_k' does: rename it in the .tts file",
            },
            diagnostics.Select(d => $"({d.Location.GetLineSpan().StartLinePosition.Line},{d.Location.GetLineSpan().StartLinePosition.Character}) {d.GetMessage()}"));
    }

    /// <summary>
    /// A strategy that checks but that the lowerer cannot lower: a warning at the strategy, and the file's other
    /// strategies still compile to C#; its own API is generated and its run methods throw what <c>tts run</c> says.
    /// </summary>
    [Fact]
    public void A_strategy_the_compiler_cannot_lower_reports_TTSG009_and_keeps_its_api()
    {
        const string path = "/project/partial.tts";
        var (result, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation("namespace Consumer { internal static class Anchor { } }"),
            new InMemoryAdditionalText(path, """
                model policy: lm

                strategy unextended(q: text) -> population {
                    population ps = spawn(2, prompt: q)
                    return ps
                }

                strategy fine(q: text = "") -> text {
                    population xs = sample policy(q)
                    return sample(xs)
                }
                """));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG009", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, span.Path);
        Assert.Equal(new LinePosition(2, 9), span.StartLinePosition); // the name, line 3, column 10
        Assert.Equal(
            "strategy 'unextended' cannot be compiled to C# yet: `ps` is spawned but no smc or search block extends it, so no model is known to prefill its prompt; its run methods throw RuntimeException saying so",
            diagnostic.GetMessage());

        var source = Assert.Single(result.GeneratedTrees).GetText().ToString();
        Assert.Contains(
            "global::Tts.Runtime.Hosting.RunnableStrategy.CannotRun(Name, \"`ps` is spawned but no smc or search block extends it, so no model is known to prefill its prompt\")",
            source,
            StringComparison.Ordinal);
        Assert.Contains("global::Tts.Generated.Emitted.PartialStrategies.Strategy_fine,", source, StringComparison.Ordinal);
        Assert.DoesNotContain("Run_unextended", source, StringComparison.Ordinal);
        var problems = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_language_code_has_a_tracked_descriptor()
    {
        var language = Tts.Language.Diagnostics.DiagnosticDescriptors.All
            .Select(d => $"{d.Id} {d.Severity} {d.Title}")
            .ToList();
        var generator = TtsDescriptors.All
            .Select(d => $"{d.Id} {d.DefaultSeverity} {d.Title}")
            .ToList();
        Assert.Equal(language, generator);

        var unshipped = File.ReadAllText(RepoPaths.Combine("src", "SourceGenerators", "AnalyzerReleases.Unshipped.md"));
        Assert.All(
            TtsDescriptors.All.Concat(GeneratorDescriptors()),
            d => Assert.Contains($"{d.Id} | Tts | {d.DefaultSeverity} |", unshipped, StringComparison.Ordinal));
    }

    /// <summary>Every TTSG descriptor the generator declares (its static fields), so a new one cannot miss the release file.</summary>
    private static IEnumerable<Microsoft.CodeAnalysis.DiagnosticDescriptor> GeneratorDescriptors() =>
        typeof(GeneratorDiagnostics)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(Microsoft.CodeAnalysis.DiagnosticDescriptor))
            .Select(f => (Microsoft.CodeAnalysis.DiagnosticDescriptor)f.GetValue(null)!);
}
