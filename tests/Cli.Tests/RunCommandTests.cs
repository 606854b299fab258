using System.Text.Json;
using Tts.Runtime.Models.Tabular;
using Tts.TestSupport;
using Tts.Testing.Statistics;
using Tts.TestSupport.Statistics;

namespace Tts.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private static readonly string Sampling = RepoPaths.Combine("examples", "strategies", "sampling.tts");
    private static readonly string BestOfN = RepoPaths.Combine("examples", "strategies", "best_of_n.tts");
    private static readonly string Model = RepoPaths.Combine("examples", "models", "abc.json");
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<JsonElement> Jsonl(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        return result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    /// <summary>
    /// The issue's "done when": 20,000 batched runs of the sampling example match the model's exact text law
    /// (chi-square; one statistical assertion of the registry, with its power checked).
    /// </summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void Sampling_example_matches_the_exact_law_of_the_model()
    {
        const int draws = 20_000;
        const double smallestBug = 0.03;
        const double beta = 1e-3;
        var runs = Jsonl(CliRunner.Run("run", Sampling, "--model", $"policy=tabular:{Model}", "--samples", draws.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "jsonl", "--seed", "7"));

        Assert.Equal(draws, runs.Count);
        Assert.Equal(Enumerable.Range(0, draws), runs.Select(r => r.GetProperty("run").GetInt32()));

        using var model = TabularModel.Load(Model);
        var law = model.ExactTextLaw("");
        var texts = law.Keys.OrderBy(t => t, StringComparer.Ordinal).ToList();
        var observed = new long[texts.Count];
        foreach (var run in runs)
        {
            var index = texts.IndexOf(run.GetProperty("output").GetString()!);
            Assert.True(index >= 0, $"output {run.GetProperty("output")} has probability 0");
            observed[index]++;

            // Each run samples its tokens (EOS included) in as many steps, plus the shared prefill call.
            var spent = run.GetProperty("spent");
            Assert.Equal(spent.GetProperty("tokens").GetInt64() + 1, spent.GetProperty("model_calls").GetInt64());
        }

        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var cells = ChiSquare.MergeSmallCells(observed, texts.Select(t => law[t]).ToList());
        var required = ChiSquare.RequiredSampleSize(cells.Probabilities, smallestBug, alpha, beta);
        Assert.True(required <= draws, $"{draws} draws cannot catch a {smallestBug} bug at alpha {alpha}; {required} needed");
        ChiSquare.GoodnessOfFit(cells.Observed, cells.Probabilities).AssertNotRejected(alpha);
    }

    [Fact]
    public void Calls_nested_three_deep_draw_the_same_at_O0_and_O1()
    {
        // Inlining keyed a call inside an inlined callee as Nest(Nest(c1, c2), s), the executor as Nest(c1, Nest(c2, s)):
        // from two levels of calls down, -O1 drew other texts than -O0 for the same seed.
        var file = Path.Combine(_folder, "nested.tts");
        File.WriteAllText(file, """
            model policy: lm
            strategy s0(q: text) -> text {
                let a = s1(q)
                let b = s1(q + "b")
                return a + b
            }
            strategy s1(q: text) -> text {
                let a = s2(q)
                let b = s2(q + "b")
                return a + b
            }
            strategy s2(q: text) -> text {
                population xs = sample policy(q, n: 2, max_tokens: 3)
                return sample(xs)
            }
            """);

        AssertSameOutputsAtO0AndO1(file);
    }

    /// <summary>Runs strategy s0 of <paramref name="file"/> at -O0 and -O1 with one seed: the outputs must be the same text.</summary>
    private static void AssertSameOutputsAtO0AndO1(string file)
    {
        var outputs = new[] { "0", "1" }.Select(level =>
        {
            var result = CliRunner.Run("run", file, "--strategy", "s0", "--model", "policy=tabular:" + Model, "--set", "q=a", "--samples", "8", "--seed", "5", "-O", level);
            Assert.True(result.ExitCode == 0, result.Error);
            return result.Output;
        }).ToList();

        Assert.Equal(outputs[0], outputs[1]);
    }

    /// <summary>
    /// A repeat or refine inside a called strategy: the executor keyed its sub-batch's streams under the callee's map,
    /// Nest(c, Nest(r, s)), which one stream number per inlined instruction cannot express, so -O1 drew other texts.
    /// </summary>
    [Theory]
    [InlineData("population hs = repeat(3, s2(q))\n    return sample(hs) + vote(hs)")]
    [InlineData("refine x = s2(q) by s2(q + x) with rounds <= 3, until = len(x) > 6\n    return x")]
    [InlineData("population hs = repeat(2, s1b(q))\n    return sample(hs)")]
    public void Repeat_and_refine_inside_a_called_strategy_draw_the_same_at_O0_and_O1(string body)
    {
        var file = Path.Combine(_folder, "nested.tts");
        File.WriteAllText(file, $$"""
            model policy: lm
            strategy s0(q: text) -> text {
                let a = s1(q)
                let b = s1(q + "b")
                return a + " " + b
            }
            strategy s1(q: text) -> text {
                {{body}}
            }
            strategy s1b(q: text) -> text {
                population hs = repeat(2, s2(q))
                return sample(hs)
            }
            strategy s2(q: text) -> text {
                population xs = sample policy(q, n: 2, max_tokens: 3)
                return sample(xs)
            }
            """);

        AssertSameOutputsAtO0AndO1(file);
    }

    [Fact]
    public void Same_seed_gives_the_same_outputs_and_batching_does_not_change_a_run()
    {
        string[] Outputs(string samples, string seed) => Jsonl(CliRunner.Run("run", BestOfN, "--model", $"policy=tabular:{Model}", "--samples", samples, "--seed", seed, "--format", "jsonl"))
            .Select(r => r.GetRawText()).ToArray();

        var five = Outputs("5", "11");
        Assert.Equal(five, Outputs("5", "11"));
        Assert.Equal(five[0], Outputs("1", "11")[0]);
        Assert.Equal(five, Outputs("40", "11").Take(5));
        Assert.NotEqual(five, Outputs("5", "12"));
    }

    [Fact]
    public void Parameters_are_set_by_name_and_by_prompt()
    {
        // Greedy decoding from prompt "b": the model's most likely continuation, deterministic.
        var result = CliRunner.Run("run", Sampling, "--model", $"policy=tabular:{Model}", "--prompt", "b", "--set", "temperature=0");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("bbbb\n", result.Output);
        Assert.Contains("1 run of sample_once (exact)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_are_one_clear_line()
    {
        var bind = $"policy=tabular:{Model}";
        CliRunner.AssertOneLineError(CliRunner.Run("run", Path.Combine(_folder, "none.tts"), "--model", bind), "file not found");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", "policy"), "bad --model 'policy'");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", "policy=remote:x"), "unknown model kind 'remote'");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", "other=tabular:x.json"), "declares no model 'other'");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling), "model 'policy' is not bound");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--set", "nope=1"), "has no parameter 'nope'");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--set", "temperature=hot"), "'hot' is not a valid real");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--set", "temperature=-2"), "'temperature' must be a finite number at least 0");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--prompt", "xyz"), "cannot tokenize the prompt");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--strategy", "other"), "no strategy 'other'");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", bind, "--samples", "0"), "--samples must be at least 1");

        var malformed = Path.Combine(_folder, "bad.json");
        File.WriteAllText(malformed, "{ \"format\": \"tts-tabular-lm/1\", ");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", $"policy=tabular:{malformed}"), "bad.json");
    }

    [Fact]
    public void A_program_with_errors_does_not_run()
    {
        var path = Path.Combine(_folder, "bad.tts");
        File.WriteAllText(path, "model policy: lm\nstrategy s() -> text { return 1 }\n");
        var result = CliRunner.Run("run", path, "--model", $"policy=tabular:{Model}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error TTS0114", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }
}
