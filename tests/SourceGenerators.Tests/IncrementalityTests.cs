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

    private static readonly string[] AllSteps =
    {
        TtsGenerator.Steps.Files, TtsGenerator.Steps.Parse, TtsGenerator.Steps.Models, TtsGenerator.Steps.Diagnostics,
        TtsGenerator.Steps.ClassNames, TtsGenerator.Steps.Clashes, TtsGenerator.Steps.Sources,
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
        var compilation = GeneratorHarness.Compilation("class C { }");
        var driver = GeneratorHarness.Driver(Text("/p/first.tts", First), Text("/p/second.tts", Second)).RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Single();
        var edited = compilation
            .ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText("class C { int Edited; }", GeneratorHarness.ParseOptions, oldTree.FilePath))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("class D { }", GeneratorHarness.ParseOptions, "D.cs"));
        driver = driver.RunGenerators(edited);

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(2, result.GeneratedSources.Length);
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
        foreach (var name in new[] { TtsGenerator.Steps.Parse, TtsGenerator.Steps.Models, TtsGenerator.Steps.Sources })
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

    private static string? PathOf(object value) => value switch
    {
        FileResult result => result.File.Path,
        StrategyFileModel file => file.Path,
        _ => null,
    };
}
