using System.Reflection;
using Microsoft.CodeAnalysis;
using Tts.Semantics;
using Tts.TestSupport;

namespace Tts.SourceGenerators.Tests;

public class GeneratedSourceTests
{
    /// <summary>Defaults of every type, including strings that need escaping and reals that need care.</summary>
    internal const string LiteralsSource = """
        model policy: lm

        strategy literals(question: text, quote: text = "say \"hi\"\\n\tand\u00e9 \\ done\n", n: int = -3, big: int = 9223372036854775807,
                          r: real = 0.1, tiny: real = 1e-7, huge: real = 12345678901234567890.0, whole: real = 2, flag: bool = true, off: bool = false) -> text {
            population xs = sample policy(question + quote, n: 2)
            return sample(xs)
        }

        strategy second_one() -> text {
            population ys = sample policy("x <y> & z")
            return sample(ys)
        }
        """;

    /// <summary>
    /// C# methods for every function the example files declare, in each supported shape: static per text, instance
    /// batched (a parameter type other than IReadOnlyList), static batched returning an array.
    /// </summary>
    internal const string ExampleBindings = """
        using System.Collections.Generic;
        using System.Linq;
        using Tts.Runtime.Rewards.Attributes;

        namespace Consumer
        {
            public static class Rewards
            {
                [Reward("prm")]
                public static double Progress(string text) => text.Count(c => c == 'b') / 4.0;

                [Reward("orm")]
                internal static double[] Outcomes(IReadOnlyList<string> texts) => texts.Select(t => (double)t.Length).ToArray();
            }

            public sealed class Checks
            {
                [Verifier("valid")]
                public IReadOnlyList<bool> Valid(IEnumerable<string> texts) => texts.Select(t => t.EndsWith("b")).ToList();
            }
        }
        """;

    [Theory]
    [InlineData("best_of_n.tts", "BestOfNStrategies")]
    [InlineData("majority_vote.tts", "MajorityVoteStrategies")]
    [InlineData("sampling.tts", "SamplingStrategies")]
    [InlineData("particle_filter.tts", "ParticleFilterStrategies")]
    [InlineData("composite.tts", "CompositeStrategies")]
    [InlineData("weighted_vote.tts", "WeightedVoteStrategies")]
    [InlineData("rejection_sampling.tts", "RejectionSamplingStrategies")]
    [InlineData("speculative.tts", "SpeculativeStrategies")]
    public void Example_generates_its_baseline_and_compiles(string file, string className)
    {
        var text = File.ReadAllText(RepoPaths.Combine("examples", "strategies", file));
        var (result, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(ExampleBindings), new InMemoryAdditionalText("/project/strategies/" + file, text));

        Assert.Empty(diagnostics);
        var source = Assert.Single(result.GeneratedTrees);
        Assert.EndsWith($"Tts.Generated.{className}.g.cs", source.FilePath, StringComparison.Ordinal);
        Golden.AssertMatches(Baseline(className), source.GetText().ToString());
        var problems = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Comments_directly_above_a_strategy_become_its_xml_documentation()
    {
        const string source = """
            // The file's header: not a strategy's documentation.
            model policy: lm

            // Draws one answer.
            /* Cheap & exact: n < 2 draws. */
            strategy once(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }

            // Detached by a blank line.

            strategy twice(q: text) -> text {
                population xs = sample policy(q, n: 2)
                return sample(xs)
            }
            """;
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText("/project/docs.tts", source));
        Assert.Empty(diagnostics);
        var text = Assert.Single(result.GeneratedTrees).GetText().ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        var documentation = string.Join("\n", text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("///", StringComparison.Ordinal)));
        Assert.Contains("/// Draws one answer.\n", documentation, StringComparison.Ordinal);
        Assert.Contains("/// Cheap &amp; exact: n &lt; 2 draws.", documentation, StringComparison.Ordinal);
        Assert.DoesNotContain("header", documentation, StringComparison.Ordinal);
        Assert.DoesNotContain("Detached", documentation, StringComparison.Ordinal);
    }

    [Fact]
    public void Literals_generate_their_baseline()
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText("/project/literals.tts", LiteralsSource));

        Assert.Empty(diagnostics);
        Golden.AssertMatches(Baseline("LiteralsStrategies"), Assert.Single(result.GeneratedTrees).GetText().ToString());
    }

    [Fact]
    public void Generated_code_compiles_with_a_consumer_and_applies_defaults()
    {
        const string consumer = """
            using Tts.Generated;

            namespace Consumer
            {
                public static class Use
                {
                    public static object[] Defaults()
                    {
                        var p = new LiteralsStrategies.Literals.Parameters { Question = "q" };
                        var changed = p with { N = 5 };
                        string question = p.Question;
                        string quote = p.Quote;
                        long n = changed.N;
                        double r = p.R;
                        bool flag = p.Flag;
                        return new object[] { question, quote, n, p.Big, r, p.Tiny, p.Huge, p.Whole, flag, p.Off };
                    }

                    public static string[] Constants() => new[]
                    {
                        LiteralsStrategies.Literals.Name, LiteralsStrategies.Literals.Signature, LiteralsStrategies.Literals.Guarantee,
                        LiteralsStrategies.Literals.Target, LiteralsStrategies.Literals.ReturnType, LiteralsStrategies.SecondOne.Name,
                    };

                    public static object Empty() => new LiteralsStrategies.SecondOne.Parameters();
                }
            }
            """;
        var (_, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(consumer),
            new InMemoryAdditionalText("/project/literals.tts", LiteralsSource));

        Assert.Empty(diagnostics);
        var errors = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        var use = assembly.GetType("Consumer.Use")!;

        var values = (object[])use.GetMethod("Defaults")!.Invoke(null, null)!;
        Assert.Equal(new object[] { "q", "say \"hi\"\\n\tand\u00e9 \\ done\n", 5L, long.MaxValue, 0.1, 1e-7, 12345678901234567890.0, 2.0, true, false }, values);

        var constants = (string[])use.GetMethod("Constants")!.Invoke(null, null)!;
        var bound = Tts.Language.Binding.Binder.Bind(
            Tts.Language.Syntax.SyntaxTree.Parse(LiteralsSource, "literals.tts"), new Tts.Language.Diagnostics.DiagnosticBag());
        var literals = bound.Strategies[0];
        Assert.Equal(
            new[] { "literals", literals.Symbol.Signature, literals.Guarantee.LevelName, literals.Guarantee.Target, "text", "second_one" },
            constants);
    }

    /// <summary>The run methods compile the embedded text at run time: it must be the file's text, character for character.</summary>
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void The_tts_text_is_embedded_exactly(string newline)
    {
        var text = LiteralsSource.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", newline, StringComparison.Ordinal) + "// \"quoted\" \\ {braces} \t tab" + newline;
        var (_, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation("namespace Consumer { public static class Use { public static string Text() => Tts.Generated.LiteralsStrategies.TtsSource; } }"),
            new InMemoryAdditionalText("/project/literals.tts", text));

        Assert.Empty(diagnostics);
        using var stream = new MemoryStream();
        Assert.True(output.Emit(stream).Success);
        var embedded = (string)Assembly.Load(stream.ToArray()).GetType("Consumer.Use")!.GetMethod("Text")!.Invoke(null, null)!;
        Assert.Equal(text, embedded);
    }

    [Fact]
    public void A_file_with_only_warnings_still_generates()
    {
        const string text = """
            model policy: lm

            strategy wasteful(prompt: text = "") -> text {
                population unused = sample policy(prompt)
                population used = sample policy(prompt)
                return sample(used)
            }
            """;
        var (result, output, diagnostics) = GeneratorHarness.Run(new InMemoryAdditionalText("/project/wasteful.tts", text));

        var warning = Assert.Single(diagnostics);
        Assert.Equal("TTS0200", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Single(result.GeneratedTrees);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Only_tts_files_are_read()
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(
            new InMemoryAdditionalText("/project/notes.txt", "this is not a strategy {"),
            new InMemoryAdditionalText("/project/settings.json", "{}"));

        Assert.Empty(diagnostics);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void Output_is_deterministic()
    {
        string Generate() => GeneratorHarness.Run(new InMemoryAdditionalText("/project/literals.tts", LiteralsSource))
            .Result.GeneratedTrees.Single().GetText().ToString();

        Assert.Equal(Generate(), Generate());
    }

    internal static string Baseline(string className) =>
        RepoPaths.Combine("tests", "SourceGenerators.Tests", "Baselines", $"Tts.Generated.{className}.g.cs.expected");
}
