using System.Reflection;
using Microsoft.CodeAnalysis;
using Tts.Runtime.Rewards;

namespace Tts.SourceGenerators.Tests;

/// <summary>[Reward], [Verifier] and [AnswerExtractor]: which methods bind, what the generated code calls, and the errors.</summary>
public class BindingTests
{
    private const string AllKinds = """
        model policy: lm
        reward score: Score
        reward chance: Prob
        verifier valid
        extractor final

        strategy pick(prompt: text = "", n: int = 4) -> text {
            population xs = sample policy(prompt, n: n)
            return first(xs, where: valid(xs) and chance(xs) > 0.1, otherwise: best(xs, by: score))
        }

        strategy tally(prompt: text = "") -> text {
            population ys = sample policy(prompt, n: 3)
            return vote(ys, key: final(ys))
        }
        """;

    [Fact]
    public void Every_supported_shape_binds_and_the_generated_code_calls_the_marked_method()
    {
        const string methods = """
            using System.Collections.Generic;
            using System.Linq;
            using Tts.Runtime.Rewards.Attributes;

            namespace Consumer
            {
                public static class Scores
                {
                    // Per text, an int result widened to double.
                    [Reward("score")]
                    public static int Length(string text) => text.Length;

                    // An overload that is not marked: the generated call must not pick it.
                    public static double Chance(IReadOnlyList<string> texts) => throw new System.InvalidOperationException("unmarked overload");

                    // Batched, taking IEnumerable and returning a List; Prob is the .tts declaration's kind.
                    [Reward("chance")]
                    internal static List<double> Chance(IEnumerable<string> texts) => texts.Select(t => t.Contains('b') ? 0.75 : 0.25).ToList();
                }

                public sealed class Checker
                {
                    private readonly string _suffix;

                    public Checker(string suffix) => _suffix = suffix;

                    [Verifier("valid")]
                    public bool Valid(string text) => text.EndsWith(_suffix, System.StringComparison.Ordinal);

                    // Two names on one method; only "final" is declared.
                    [AnswerExtractor("final")]
                    [AnswerExtractor("unused_elsewhere")]
                    public string? Final(string text) => text.Length == 0 ? null : text.Substring(text.Length - 1);
                }
            }
            """;
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(methods), new InMemoryAdditionalText("/project/kinds.tts", AllKinds));

        Assert.Empty(diagnostics);
        Assert.Single(result.GeneratedTrees);
        var problems = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var assembly = Load(output);
        var checker = Activator.CreateInstance(assembly.GetType("Consumer.Checker")!, "b")!;
        var pick = Bindings(assembly, "Tts.Generated.KindsStrategies+Pick", checker);
        var texts = new[] { "ab", "c", "" };
        Assert.Equal(new[] { 2.0, 1.0, 0.0 }, pick.Reward("score", RewardKind.Score).Evaluate(texts));
        Assert.Equal(new[] { 0.75, 0.25, 0.25 }, pick.Reward("chance", RewardKind.Prob).Evaluate(texts));
        Assert.Equal(new[] { true, false, false }, pick.Verifier("valid").Verify(texts));
        Assert.False(pick.IsBound("final"));

        // tally uses only the extractor: its bindings hold just that, and the runtime rejects a null answer by name.
        var tally = Bindings(assembly, "Tts.Generated.KindsStrategies+Tally", checker);
        Assert.Equal(new[] { "b", "c" }, tally.Extractor("final").Extract(new[] { "ab", "c" }));
        Assert.False(tally.IsBound("score"));
        var error = Assert.Throws<Tts.Runtime.Execution.RuntimeException>(() => tally.Extractor("final").Extract(new[] { "" }));
        Assert.Contains("extractor 'final' returned null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batched_methods_may_take_a_wider_type_and_return_any_list()
    {
        const string methods = """
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using System.Linq;
            using Tts.Runtime.Rewards.Attributes;

            namespace Consumer
            {
                internal static class Functions
                {
                    [Reward("score")] public static float[] Score(IReadOnlyCollection<string> texts) => texts.Select(t => 1f).ToArray();
                    [Reward("chance")] public static IEnumerable<double> NotAList(IReadOnlyList<string> texts) => texts.Select(t => 0.5);
                    [Verifier("valid")] public static ImmutableArray<bool> Valid(IEnumerable<string> texts) => texts.Select(t => t.Length > 0).ToImmutableArray();
                    [AnswerExtractor("final")] public static List<string?> Final(IReadOnlyList<string> texts) => texts.Select(t => (string?)t).ToList();
                }
            }
            """;
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(methods), new InMemoryAdditionalText("/project/kinds.tts", AllKinds));

        // float[] is not a list of double, nor is an IEnumerable a list: both reported; the other two bind and compile.
        Assert.Equal(new[] { "TTSG005", "TTSG005" }, diagnostics.Select(d => d.Id));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("`float[] Score(IReadOnlyCollection<string> texts)`", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("`IEnumerable<double> NotAList(IReadOnlyList<string> texts)`", StringComparison.Ordinal));
        var problems = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var pick = Bindings(Load(output), "Tts.Generated.KindsStrategies+Pick", new object());
        Assert.Equal(new[] { true, false }, pick.Verifier("valid").Verify(new[] { "a", "" }));
    }

    [Fact]
    public void Run_methods_take_the_models_and_instances_the_strategy_uses()
    {
        const string methods = """
            using Tts.Runtime.Rewards.Attributes;

            namespace Consumer
            {
                public sealed class Checker
                {
                    [Verifier("valid")]
                    public bool Valid(string text) => true;
                }

                public static class Scores
                {
                    [Reward("score")] public static double Score(string text) => 0;
                    [Reward("chance")] public static double Chance(string text) => 0;
                    [AnswerExtractor("final")] public static string Final(string text) => text;
                }
            }
            """;
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(methods), new InMemoryAdditionalText("/project/kinds.tts", AllKinds));
        Assert.Empty(diagnostics);
        var assembly = Load(output);

        string Parameters(string type, string method) => string.Join(", ", assembly.GetType(type)!.GetMethods()
            .Where(m => m.Name == method)
            .OrderBy(m => m.GetParameters().Length)
            .Select(m => "(" + string.Join(" ", m.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name)) + ")"));

        Assert.Equal(
            "(ILanguageModel policy Checker checker Parameters parameters UInt64 seed CancellationToken cancellationToken), "
            + "(ILanguageModel policy Checker checker String prompt Int64 n UInt64 seed CancellationToken cancellationToken)",
            Parameters("Tts.Generated.KindsStrategies+Pick", "RunAsync"));
        Assert.Equal(
            "(ILanguageModel policy Checker checker Parameters parameters RunOptions options CancellationToken cancellationToken)",
            Parameters("Tts.Generated.KindsStrategies+Pick", "RunManyAsync"));

        // tally calls only the static extractor: no instance to pass.
        Assert.Equal(
            "(ILanguageModel policy Parameters parameters RunOptions options CancellationToken cancellationToken)",
            Parameters("Tts.Generated.KindsStrategies+Tally", "RunManyAsync"));
    }

    [Fact]
    public void Keywords_and_names_the_run_methods_use_get_distinct_CSharp_names()
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation("namespace Consumer { public static class Nothing { } }"),
            new InMemoryAdditionalText("/project/names.tts", """
                model base: lm

                strategy taken(seed: int = 1, cancellation_token: text = "", options: int = 2, results: int = 3) -> text {
                    population xs = sample base(cancellation_token, n: seed + options + results)
                    return sample(xs)
                }
                """));
        Assert.Empty(diagnostics);
        var problems = GeneratorHarness.ErrorsAndWarnings(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        var methods = Load(output).GetType("Tts.Generated.NamesStrategies+Taken")!.GetMethods().Where(m => m.Name.StartsWith("Run", StringComparison.Ordinal));
        Assert.Equal(
            new[]
            {
                "RunAsync(base, parameters, seed, cancellationToken)",
                "RunAsync(base, seed, cancellationToken, options, results, seed2, cancellationToken2)",
                "RunManyAsync(base, parameters, options, cancellationToken)",
            },
            methods.Select(m => m.Name + "(" + string.Join(", ", m.GetParameters().Select(p => p.Name)) + ")").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_name_with_no_method_is_an_error_in_the_tts_file()
    {
        const string path = "/project/unbound.tts";
        var (result, _, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation("namespace Consumer { public static class Nothing { } }"),
            new InMemoryAdditionalText(path, """
                model policy: lm
                verifier valid

                strategy reject(prompt: text = "") -> text {
                    population xs = sample policy(prompt, n: 4)
                    return first(xs, where: valid(xs), otherwise: "")
                }
                """));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG004", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, span.Path);
        Assert.Equal((1, 9), (span.StartLinePosition.Line, span.StartLinePosition.Character)); // "valid" at line 2, column 10
        Assert.Equal(
            "verifier 'valid' is declared but no C# method is bound to it: mark a public or internal method `bool M(string text)` or, batched, "
            + "`IReadOnlyList<bool> M(IReadOnlyList<string> texts)` with [Verifier(\"valid\")]",
            diagnostic.GetMessage());

        // The file still generates (so the only error is this one), with the binding left out.
        Assert.Contains("// verifier 'valid': no valid method is bound", Assert.Single(result.GeneratedTrees).GetText().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_method_of_another_kind_is_named_in_the_error()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation("""
                namespace Consumer
                {
                    public static class Methods
                    {
                        [Tts.Runtime.Rewards.Attributes.Reward("valid")]
                        public static double Valid(string text) => 1;
                    }
                }
                """),
            new InMemoryAdditionalText("/project/kind.tts", """
                model policy: lm
                verifier valid

                strategy reject(prompt: text = "") -> text {
                    population xs = sample policy(prompt, n: 4)
                    return first(xs, where: valid(xs), otherwise: "")
                }
                """));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG004", diagnostic.Id);
        Assert.EndsWith("(a method is marked [Reward(\"valid\")], which binds a reward, not a verifier)", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Reward(\"score\")] public static string M(string text) => text;", "string M(string text)", "reward is `double M(string text)`")]
    [InlineData("[Reward(\"score\")] public static double M(string text, int n) => n;", "double M(string text, int n)", "reward is `double M(string text)`")]
    [InlineData("[Reward(\"score\")] public static double? M(string text) => 1;", "double? M(string text)", "reward is `double M(string text)`")]
    [InlineData("[Reward(\"score\")] public static System.Threading.Tasks.Task<double> M(string text) => null!;", "Task<double> M(string text)", "reward is `double M(string text)`")]
    [InlineData("[Reward(\"score\")] public static IReadOnlyList<double> M(List<string> texts) => texts.ConvertAll(t => 1.0);", "IReadOnlyList<double> M(List<string> texts)", "IReadOnlyList<double> M(IReadOnlyList<string> texts)")]
    [InlineData("[Verifier(\"score\")] public static bool? M(string text) => true;", "bool? M(string text)", "verifier is `bool M(string text)`")]
    [InlineData("[Verifier(\"score\")] public static IReadOnlyList<double> M(IReadOnlyList<string> texts) => null!;", "IReadOnlyList<double> M(IReadOnlyList<string> texts)", "`IReadOnlyList<bool> M(IReadOnlyList<string> texts)`")]
    [InlineData("[AnswerExtractor(\"score\")] public static object M(string text) => text;", "object M(string text)", "extractor is `string M(string text)`")]
    [InlineData("[AnswerExtractor(\"score\")] public static void M(string text) { }", "void M(string text)", "extractor is `string M(string text)`")]
    [InlineData("[AnswerExtractor(\"score\")] public static string M(ref string text) => text;", "string M(ref string text)", "extractor is `string M(string text)`")]
    public void A_wrong_signature_is_an_error_at_the_method(string member, string signature, string expected)
    {
        var (_, _, diagnostics) = RunWithMember(member);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG005", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains($"its signature is `{signature}`", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAtMethodName(diagnostic);
    }

    [Theory]
    [InlineData("[Reward(\"score\")] private static double M(string text) => 1;", "it must be public or internal")]
    [InlineData("[Reward(\"score\")] public static double M<T>(string text) => 1;", "it is generic")]
    public void A_method_generated_code_cannot_call_is_an_error(string member, string expected)
    {
        var (_, _, diagnostics) = RunWithMember(member);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG006", diagnostic.Id);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAtMethodName(diagnostic);
    }

    [Theory]
    [InlineData("public static class Outer { private static class Hidden { [Reward(\"score\")] public static double M(string text) => 1; } }", "its containing type 'Consumer.Outer.Hidden' must be public or internal")]
    [InlineData("public static class Box<T> { [Reward(\"score\")] public static double M(string text) => 1; }", "its containing type 'Consumer.Box<T>' is generic")]
    [InlineData("public ref struct Span { [Reward(\"score\")] public double M(string text) => 1; }", "is a ref struct")]
    public void A_type_generated_code_cannot_reach_is_an_error(string type, string expected)
    {
        var (_, _, diagnostics) = Run(type);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG006", diagnostic.Id);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_methods_for_one_name_are_an_error_at_the_second()
    {
        var (_, _, diagnostics) = Run("""
            public static class A { [Reward("score")] public static double M(string text) => 1; }
            public static class B { [Reward("score")] public static double N(string text) => 2; }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG007", diagnostic.Id);
        Assert.Equal("reward 'score' is bound twice, by 'Consumer.A.M' and by 'Consumer.B.N': mark one method per name", diagnostic.GetMessage());
        Assert.Equal(5, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // B's attribute
    }

    [Fact]
    public void The_same_name_may_bind_different_kinds_for_different_files()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(Usings + """
                namespace Consumer
                {
                    public static class Methods
                    {
                        [Reward("check")] public static double Score(string text) => text.Length;
                        [Verifier("check")] public static bool Valid(string text) => text.Length > 1;
                    }
                }
                """),
            new InMemoryAdditionalText("/project/scored.tts", """
                model policy: lm
                reward check: Score

                strategy scored(prompt: text = "") -> text {
                    population xs = sample policy(prompt, n: 4)
                    return best(xs, by: check)
                }
                """),
            new InMemoryAdditionalText("/project/checked.tts", """
                model policy: lm
                verifier check

                strategy checked(prompt: text = "") -> text {
                    population xs = sample policy(prompt, n: 4)
                    return first(xs, where: check(xs), otherwise: "")
                }
                """));

        Assert.Empty(diagnostics);
        Assert.Equal(2, result.GeneratedTrees.Length);
        Assert.Empty(GeneratorHarness.ErrorsAndWarnings(output));
    }

    [Fact]
    public void An_empty_name_is_an_error_at_the_attribute()
    {
        var (_, _, diagnostics) = Run("""
            public static class A
            {
                [Reward("")] public static double M(string text) => 1;
                [Reward("score")] public static double N(string text) => 1;
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG008", diagnostic.Id);
        Assert.Equal("[Reward] on 'Consumer.A.M' needs the name the .tts file declares, e.g. [Reward(\"prm\")]", diagnostic.GetMessage());
    }

    [Fact]
    public void Without_Tts_Runtime_only_the_descriptive_members_are_generated_with_a_warning()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(withRuntime: false, "namespace Consumer { public static class Nothing { } }"),
            new InMemoryAdditionalText("/project/score.tts", ScoreFile));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("TTSG003", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        var text = Assert.Single(result.GeneratedTrees).GetText().ToString();
        Assert.Contains("public sealed partial record Parameters", text, StringComparison.Ordinal);
        Assert.DoesNotContain("RunAsync", text, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.ErrorsAndWarnings(output));
    }

    private const string Usings = """
        using System.Collections.Generic;
        using Tts.Runtime.Rewards.Attributes;

        """;

    private const string ScoreFile = """
        model policy: lm
        reward score: Score

        strategy top(prompt: text = "") -> text {
            population xs = sample policy(prompt, n: 4)
            return best(xs, by: score)
        }
        """;

    /// <summary>Runs the generator on <see cref="ScoreFile"/> with types declared in namespace Consumer (line 4 on).</summary>
    private static (GeneratorDriverRunResult Result, Compilation Output, System.Collections.Immutable.ImmutableArray<Diagnostic> Diagnostics) Run(string types) =>
        GeneratorHarness.Run(
            GeneratorHarness.Compilation(Usings + "namespace Consumer\n{\n" + types + "\n}\n"),
            new InMemoryAdditionalText("/project/score.tts", ScoreFile));

    /// <summary>One method in class Methods (its line is 6, zero-based), and a .tts file declaring 'score' as the attribute's kind.</summary>
    private static (GeneratorDriverRunResult Result, Compilation Output, System.Collections.Immutable.ImmutableArray<Diagnostic> Diagnostics) RunWithMember(string member)
    {
        var declaration = member.StartsWith("[Verifier", StringComparison.Ordinal) ? "verifier score"
            : member.StartsWith("[AnswerExtractor", StringComparison.Ordinal) ? "extractor score"
            : "reward score: Score";
        return GeneratorHarness.Run(
            GeneratorHarness.Compilation(Usings + "namespace Consumer\n{\npublic static class Methods\n{\n    " + member + "\n}\n}\n"),
            new InMemoryAdditionalText("/project/declared.tts", $$"""
                model policy: lm
                {{declaration}}

                strategy once(prompt: text = "") -> text {
                    population xs = sample policy(prompt)
                    return sample(xs)
                }
                """));
    }

    private static void AssertAtMethodName(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/project/Source0.cs", span.Path);
        Assert.Equal(6, span.StartLinePosition.Line);
        Assert.Equal(1, span.EndLinePosition.Character - span.StartLinePosition.Character); // "M"
    }

    private static Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    /// <summary>Calls a strategy's generated BindFunctions (instance arguments as its parameters ask).</summary>
    private static FunctionBindings Bindings(Assembly assembly, string strategyType, object instance)
    {
        var method = assembly.GetType(strategyType)!.GetMethod("BindFunctions", BindingFlags.NonPublic | BindingFlags.Static)!;
        var arguments = method.GetParameters().Select(p => p.ParameterType.IsInstanceOfType(instance) ? instance : throw new InvalidOperationException(p.Name)).ToArray();
        return (FunctionBindings)method.Invoke(null, arguments)!;
    }
}
