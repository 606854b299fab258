using System.Globalization;
using System.Text.Json;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.TestSupport;

namespace Tts.Cli.Tests.GeneratedStrategies;

/// <summary>
/// The strategies of examples/GeneratedStrategies, generated, compiled with Roslyn and run on the tabular model, with
/// the example's own C# reward and verifier: they give what <c>tts run</c> gives for the same seed, run for run.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class GeneratedStrategyTests : IDisposable
{
    private const int Runs = 200;
    private const ulong Seed = 11;

    private static readonly string Example = RepoPaths.Combine("examples", "GeneratedStrategies");
    private static readonly string Answers = Path.Combine(Example, "strategies", "answers.tts");
    private static readonly string Checked = Path.Combine(Example, "strategies", "checked.tts");
    private static readonly string ModelPath = RepoPaths.Combine("examples", "models", "abc.json");

    /// <summary>The example's C# (Program.cs aside): the methods its .tts files bind.</summary>
    private static readonly Lazy<GeneratedAssembly> ExampleAssembly = new(() => GeneratedAssembly.Compile(
        new[] { Path.Combine(Example, "Functions.cs"), Path.Combine(Example, "Checks.cs") },
        new[] { Answers, Checked }));

    /// <summary>
    /// The same .tts files with an extractor the CLI can state too (<c>--bind last_letter=text</c>: the whole text),
    /// for the weighted vote; the reward and verifier are the example's.
    /// </summary>
    private static readonly Lazy<GeneratedAssembly> WholeTextAssembly = new(() => GeneratedAssembly.Compile(
        new[] { Path.Combine(Example, "Checks.cs") },
        new[] { Answers, Checked },
        """
        using Tts.Runtime.Rewards.Attributes;

        namespace GeneratedStrategies
        {
            public static class Functions
            {
                [Reward("b_count")]
                public static double BCount(string text) => text.Count(c => c == 'b');

                [AnswerExtractor("last_letter")]
                public static string WholeText(string text) => text;
            }
        }
        """));

    private readonly TabularModel _model = TabularModel.Load(ModelPath);

    public void Dispose() => _model.Dispose();

    public static TheoryData<string, string, string, string, string[]> SameAsCli() => new()
    {
        // assembly, .tts file, class, strategy, extra `tts run` arguments (its --set and --bind)
        { "example", "checked.tts", "SampleOnce", "sample_once", new[] { "--set", "temperature=0.7" } },
        { "example", "checked.tts", "FirstAccepted", "first_accepted", new[] { "--set", "tries=4", "--bind", "balanced=len(text) >= 2 and not contains(text, \"c\")" } },
        { "example", "answers.tts", "BestOfN", "best_of_n", new[] { "--set", "n=6", "--bind", "b_count=count(text, \"b\")" } },
        { "whole-text", "answers.tts", "WeightedVote", "weighted_vote", new[] { "--set", "n=5", "--bind", "b_count=count(text, \"b\")", "--bind", "last_letter=text" } },
    };

    [Theory]
    [MemberData(nameof(SameAsCli))]
    public void A_generated_strategy_gives_what_tts_run_gives_for_the_same_seed(string assembly, string file, string strategyClass, string strategy, string[] cliArguments)
    {
        var path = Path.Combine(Example, "strategies", file);
        var cli = CliRunner.Run(new[] { "run", path, "--strategy", strategy, "--model", $"policy=tabular:{ModelPath}", "--samples", Runs.ToString(CultureInfo.InvariantCulture), "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--format", "jsonl" }
            .Concat(cliArguments).ToArray());
        Assert.True(cli.ExitCode == 0, cli.Error);
        var expected = cli.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).Select(run => string.Join(
            " ",
            run.GetProperty("run").GetInt32(),
            run.GetProperty("output").GetString(),
            run.GetProperty("spent").GetProperty("tokens").GetInt64(),
            run.GetProperty("spent").GetProperty("model_calls").GetInt64(),
            run.GetProperty("spent").GetProperty("reward_calls").GetInt64())).ToList();

        var generated = (assembly == "example" ? ExampleAssembly : WholeTextAssembly).Value;
        // The generated run methods run the C# the compiler emitted at build time (StrategyHost has no other way to run).
        Assert.NotNull(generated.EmittedRunMethod(FileClass(file), strategy));
        var settings = cliArguments.Zip(cliArguments.Skip(1)).Where(p => p.First == "--set").Select(p => p.Second.Split('=')).ToDictionary(
            kv => char.ToUpperInvariant(kv[0][0]) + kv[0][1..],
            kv => kv[1].Contains('.', StringComparison.Ordinal) ? (object)double.Parse(kv[1], CultureInfo.InvariantCulture) : long.Parse(kv[1], CultureInfo.InvariantCulture));
        var runs = generated.RunMany(
            FileClass(file), strategyClass, _model, settings, new RunOptions(Seed, Runs), CancellationToken.None, generated.Create("GeneratedStrategies.Checks", 2));
        var actual = runs.Select(r => string.Join(" ", r.Index, (string?)r.Output, r.Spent.Tokens, r.Spent.ModelCalls, r.Spent.RewardCalls)).ToList();

        Assert.Equal(Runs, actual.Count);
        Assert.Equal(expected, actual);

        // Not a degenerate comparison: the runs differ from one another.
        Assert.True(runs.Select(r => r.Output).Distinct().Count() > 1, "every run returned the same output");
    }

    [Fact]
    public void One_run_is_run_zero_of_many_and_later_runs_do_not_depend_on_the_batch()
    {
        var generated = ExampleAssembly.Value;
        var parameters = new Dictionary<string, object> { ["N"] = 4L };
        var many = generated.RunMany("AnswersStrategies", "BestOfN", _model, parameters, new RunOptions(Seed, 12));

        Assert.Equal(many[0], generated.RunOnce("AnswersStrategies", "BestOfN", _model, parameters, Seed));
        var slice = generated.RunMany("AnswersStrategies", "BestOfN", _model, parameters, new RunOptions(Seed, Runs: 3, FirstRun: 5));
        Assert.Equal(many.Skip(5).Take(3), slice);
        Assert.All(many, r => Assert.IsType<string>(r.Output));
    }

    [Fact]
    public void The_extractor_bound_in_CSharp_decides_the_vote()
    {
        // With n = 1 the vote returns the key of its only text: the example's extractor gives the last letter.
        var generated = ExampleAssembly.Value;
        var runs = generated.RunMany("AnswersStrategies", "WeightedVote", _model, new Dictionary<string, object> { ["N"] = 1L }, new RunOptions(Seed, 50));
        var samples = generated.RunMany("AnswersStrategies", "BestOfN", _model, new Dictionary<string, object> { ["N"] = 1L, ["Temperature"] = 1.0 }, new RunOptions(Seed, 50));

        Assert.All(runs, r => Assert.Contains((string)r.Output!, new[] { "a", "b", "c", "" }));
        Assert.Equal(samples.Select(s => ((string)s.Output!).Length == 0 ? "" : ((string)s.Output!)[^1..]), runs.Select(r => (string?)r.Output));
    }

    [Fact]
    public void A_cancelled_token_stops_the_run_before_it_starts()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ExampleAssembly.Value.RunMany(
            "CheckedStrategies", "SampleOnce", _model, new Dictionary<string, object>(), new RunOptions(Seed, 1), cancelled.Token));
    }

    [Fact]
    public void A_generated_particle_filter_runs_with_its_csharp_reward()
    {
        var generated = GeneratedAssembly.Compile(
            Array.Empty<string>(),
            new[] { RepoPaths.Combine("examples", "strategies", "particle_filter.tts") },
            """
            namespace Consumer
            {
                public static class Rewards
                {
                    [Tts.Runtime.Rewards.Attributes.Reward("prm")]
                    public static double Progress(string text) => 1 + text.Length;
                }
            }
            """);
        var runs = generated.RunMany(
            "ParticleFilterStrategies", "ParticleFilter", _model, new Dictionary<string, object> { ["Question"] = "a", ["N"] = 4L }, new RunOptions(Seed, 3));
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.IsType<string>(r.Output));
        Assert.All(runs, r => Assert.True(r.Spent.RewardCalls > 0));
    }

    [Fact]
    public void A_strategy_the_compiler_cannot_lower_throws_what_tts_run_says()
    {
        using var folder = new TempFolder("tts-generated-");
        var file = folder.Write("unextended.tts", """
            model policy: lm

            strategy unextended(q: text = "a") -> population {
                population ps = spawn(2, prompt: q)
                return ps
            }
            """);
        var cli = CliRunner.Run("run", file, "--strategy", "unextended", "--model", $"policy=tabular:{ModelPath}");
        Assert.NotEqual(0, cli.ExitCode);

        var generated = GeneratedAssembly.CompileExpecting("TTSG009", Array.Empty<string>(), new[] { file });
        Assert.Null(generated.EmittedRunMethod("UnextendedStrategies", "unextended"));
        var error = Assert.Throws<RuntimeException>(() => generated.RunMany(
            "UnextendedStrategies", "Unextended", _model, new Dictionary<string, object>(), new RunOptions(Seed, 1)));
        Assert.Contains(error.Message, cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_separators_in_a_string_of_the_program_do_not_break_the_emitted_csharp()
    {
        // The IR text quoted in a comment above each statement held U+2028 raw; C# ends a // comment there, so the rest
        // of the string became code and the emitted file did not compile.
        using var folder = new TempFolder("tts-generated-");
        var file = folder.Write("separators.tts", "model policy: lm\n\nstrategy separated(q: text = \"a\u2028b\") -> text {\n"
            + "    population xs = sample policy(q + \"\u2029 x = 1; \u0085 y\", max_tokens: 2, stop: \"\u2028\")\n    return sample(xs)\n}\n");

        var generated = GeneratedAssembly.Compile(Array.Empty<string>(), new[] { file });

        Assert.NotNull(generated.EmittedRunMethod("SeparatorsStrategies", "separated"));
    }

    private static string FileClass(string file) => file == "answers.tts" ? "AnswersStrategies" : "CheckedStrategies";
}
