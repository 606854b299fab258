using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tts.SourceGenerators.Tests;

/// <summary>The pipeline's tracked steps: what reruns after an edit, and what stays cached.</summary>
public class IncrementalityTests
{
    private const string First = """
        model policy: lm

        strategy first(prompt: text = "", n: int = 4) -> text {
            population xs = sample policy(prompt, n: n)
            return sample(xs)
        }
        """;

    private const string Second = """
        model policy: lm

        strategy second(prompt: text = "") -> text {
            population ys = sample policy(prompt)
            return sample(ys)
        }
        """;

    /// <summary>Uses a reward bound by a C# method.</summary>
    private const string Third = """
        model policy: lm
        reward prm: Score

        strategy third(prompt: text = "", n: int = 4) -> text {
            population zs = sample policy(prompt, n: n)
            return best(zs, by: prm)
        }
        """;

    private const string Rewards = """
        using Tts.Runtime.Rewards.Attributes;

        namespace Consumer
        {
            public static class Rewards
            {
                [Reward("prm")]
                public static double Progress(string text) => text.Length;
            }
        }
        """;

    private static readonly string[] AllSteps =
    {
        TtsGenerator.Steps.Files, TtsGenerator.Steps.Parse, TtsGenerator.Steps.Models, TtsGenerator.Steps.Diagnostics,
        TtsGenerator.Steps.ClassNames, TtsGenerator.Steps.Clashes, TtsGenerator.Steps.Runtime, TtsGenerator.Steps.Methods,
        TtsGenerator.Steps.Bindings, TtsGenerator.Steps.Duplicates, TtsGenerator.Steps.Resolved, TtsGenerator.Steps.Unbound,
        TtsGenerator.Steps.Sources,
    };

    [Fact]
    public void Every_step_is_tracked_on_the_first_run()
    {
        var compilation = GeneratorHarness.Compilation("class C { }");
        var driver = GeneratorHarness.Driver(Text("/p/first.tts", First), Text("/p/second.tts", Second)).RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(AllSteps.OrderBy(s => s, StringComparer.Ordinal), result.TrackedSteps.Keys.Where(k => k.StartsWith("Tts", StringComparison.Ordinal)).OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(2, result.GeneratedSources.Length);
        Assert.All(
            result.TrackedSteps[TtsGenerator.Steps.Models].SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.New, output.Reason));
    }

    [Fact]
    public void An_unrelated_CSharp_edit_reruns_nothing()
    {
        var compilation = GeneratorHarness.Compilation("class C { }", Rewards);
        var driver = GeneratorHarness.Driver(Text("/p/first.tts", First), Text("/p/second.tts", Second), Text("/p/third.tts", Third)).RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);

        var oldTree = compilation.SyntaxTrees.First();
        var edited = compilation
            .ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText("class C { int Edited; }", GeneratorHarness.ParseOptions, oldTree.FilePath))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("class D { }", GeneratorHarness.ParseOptions, "D.cs"));
        driver = driver.RunGenerators(edited);

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(3, result.GeneratedSources.Length);
        foreach (var name in AllSteps)
        {
            Assert.All(
                result.TrackedSteps[name].SelectMany(step => step.Outputs),
                output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {output.Reason}"));
        }

        Assert.NotEmpty(result.TrackedOutputSteps);
        Assert.All(
            result.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(step => step.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {output.Reason}"));
    }

    [Fact]
    public void Editing_one_tts_file_reruns_only_that_file()
    {
        var compilation = GeneratorHarness.Compilation("class C { }");
        var first = Text("/p/first.tts", First);
        var second = Text("/p/second.tts", Second);
        var driver = GeneratorHarness.Driver(first, second).RunGenerators(compilation);

        driver = driver
            .ReplaceAdditionalText(first, Text("/p/first.tts", First.Replace("n: int = 4", "n: int = 5", StringComparison.Ordinal)))
            .RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        foreach (var name in new[] { TtsGenerator.Steps.Parse, TtsGenerator.Steps.Models, TtsGenerator.Steps.Resolved, TtsGenerator.Steps.Sources })
        {
            var outputs = result.TrackedSteps[name]
                .SelectMany(step => step.Outputs)
                .Select(output => (Path: PathOf(output.Value), output.Reason))
                .ToList();
            Assert.Equal(2, outputs.Count);
            Assert.Equal(IncrementalStepRunReason.Modified, outputs.Single(o => o.Path == "/p/first.tts").Reason);
            Assert.True(
                outputs.Single(o => o.Path == "/p/second.tts").Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{name}: {outputs.Single(o => o.Path == "/p/second.tts").Reason}");
        }

        // The edit renames nothing, so the class names and the clash list come out unchanged.
        Assert.All(
            result.TrackedSteps[TtsGenerator.Steps.Clashes].SelectMany(step => step.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"clashes: {output.Reason}"));

        var regenerated = result.GeneratedSources.Single(s => s.HintName == "Tts.Generated.FirstStrategies.g.cs");
        Assert.Contains("public long N { get; init; } = 5L;", regenerated.SourceText.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The C# the compiler emits for a file is part of that file's output: a body edit regenerates it, and only it.</summary>
    [Fact]
    public void Editing_a_strategy_body_regenerates_its_emitted_code_only()
    {
        var compilation = GeneratorHarness.Compilation("class C { }");
        var first = Text("/p/first.tts", First);
        var second = Text("/p/second.tts", Second);
        var driver = GeneratorHarness.Driver(first, second).RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.Contains("internal static class FirstStrategies", before["Tts.Generated.FirstStrategies.g.cs"], StringComparison.Ordinal);

        driver = driver
            .ReplaceAdditionalText(first, Text("/p/first.tts", First.Replace("n: n)", "n: n, temperature: 0.25)", StringComparison.Ordinal)))
            .RunGenerators(compilation);

        var result = driver.GetRunResult().Results.Single();
        var sources = result.TrackedSteps[TtsGenerator.Steps.Sources]
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => PathOf(output.Value)!, output => output.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, sources["/p/first.tts"]);
        Assert.True(sources["/p/second.tts"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"second: {sources["/p/second.tts"]}");
        var after = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.Equal(before["Tts.Generated.SecondStrategies.g.cs"], after["Tts.Generated.SecondStrategies.g.cs"]);
        Assert.DoesNotContain("rt.Broadcast(0.25d)", before["Tts.Generated.FirstStrategies.g.cs"], StringComparison.Ordinal);
        Assert.Contains("rt.Broadcast(0.25d)", after["Tts.Generated.FirstStrategies.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void Models_are_equal_when_their_content_is()
    {
        var a = FileModelBuilder.Build("/p/first.tts", First, CancellationToken.None);
        var b = FileModelBuilder.Build("/p/first.tts", First, CancellationToken.None);
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, FileModelBuilder.Build("/p/first.tts", First.Replace("4", "5", StringComparison.Ordinal), CancellationToken.None));
    }

    private static InMemoryAdditionalText Text(string path, string text) => new(path, text);

    [Fact]
    public void Moving_a_bound_method_regenerates_nothing()
    {
        var compilation = GeneratorHarness.Compilation(Rewards);
        var driver = GeneratorHarness.Driver(Text("/p/first.tts", First), Text("/p/third.tts", Third)).RunGenerators(compilation);

        // Lines above the method shift its location (which diagnostics carry) but not its binding.
        var oldTree = compilation.SyntaxTrees.Single();
        var moved = Rewards.Replace("public static class Rewards", "// a comment\n\n    public static class Rewards", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText(moved, GeneratorHarness.ParseOptions, oldTree.FilePath)));

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(IncrementalStepRunReason.Modified, result.TrackedSteps[TtsGenerator.Steps.Methods].Single().Outputs.Single().Reason);
        foreach (var name in new[] { TtsGenerator.Steps.Bindings, TtsGenerator.Steps.Duplicates, TtsGenerator.Steps.Resolved, TtsGenerator.Steps.Sources })
        {
            Assert.All(
                result.TrackedSteps[name].SelectMany(step => step.Outputs),
                output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {output.Reason}"));
        }
    }

    [Fact]
    public void Changing_a_binding_regenerates_only_the_files_that_declare_it()
    {
        var compilation = GeneratorHarness.Compilation(Rewards);
        var driver = GeneratorHarness.Driver(Text("/p/first.tts", First), Text("/p/third.tts", Third)).RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Single();
        var renamed = Rewards.Replace("Progress", "Steps", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText(renamed, GeneratorHarness.ParseOptions, oldTree.FilePath)));

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(IncrementalStepRunReason.Modified, result.TrackedSteps[TtsGenerator.Steps.Bindings].Single().Outputs.Single().Reason);
        var sources = result.TrackedSteps[TtsGenerator.Steps.Sources]
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => PathOf(output.Value)!, output => output.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, sources["/p/third.tts"]);
        Assert.True(sources["/p/first.tts"] is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"first: {sources["/p/first.tts"]}");
        Assert.Contains("global::Consumer.Rewards.Steps(text)", result.GeneratedSources.Single(s => s.HintName == "Tts.Generated.ThirdStrategies.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    private static string? PathOf(object value) => value switch
    {
        FileResult result => result.File.Path,
        StrategyFileModel file => file.Path,
        GenerationModel model => model.File.Path,
        _ => null,
    };
}
