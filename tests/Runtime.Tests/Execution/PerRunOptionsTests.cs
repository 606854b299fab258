using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>
/// Decode options are values of each run: runs batched together that differ in temperature, truncation, token limit,
/// stop strings or forbidden text each decode under their own, exactly as each would alone.
/// </summary>
public sealed class PerRunOptionsTests
{
    private static readonly string[] Prompts = ["a", "b", "c", "ab", "ba", "cc"];

    private static readonly Dictionary<string, object> PerRun = new()
    {
        ["prompt"] = new PerRunArgument(Prompts),
        ["t"] = new PerRunArgument([1.0, 0.0, 0.5, 2.0, 1.0, 1.0]),
        ["k"] = new PerRunArgument([0L, 0L, 2L, 0L, 1L, 0L]),
        ["len"] = new PerRunArgument([4L, 2L, 4L, 3L, 4L, 1L]),
        ["stop"] = new PerRunArgument(["b", "c", "a", "b", "zz", "b"]),
        ["ban"] = new PerRunArgument(["zz", "a", "c", "zz", "b", "zz"]),
    };

    private static CompiledStrategy Compile(string program) => TestPrograms.Strategy(program, "s");

    /// <summary>Every run batched equals the same run alone: output and spend.</summary>
    private static void AssertBatchedEqualsAlone(CompiledStrategy strategy, Func<ModelBindings> models, Dictionary<string, object> arguments)
    {
        var together = strategy.Run(arguments, models(), new FunctionBindings(), new RunOptions(11, Runs: Prompts.Length)).ToList();
        var outputs = new HashSet<string>();
        for (var run = 0; run < Prompts.Length; run++)
        {
            var own = arguments.ToDictionary(a => a.Key, a => a.Value is PerRunArgument perRun ? perRun.Values[run] : a.Value);
            var alone = strategy.Run(own, models(), new FunctionBindings(), new RunOptions(11, Runs: 1, FirstRun: run)).Single();
            Assert.Equal(alone.Output, together[run].Output);
            Assert.Equal(alone.Spent with { Seconds = 0 }, together[run].Spent with { Seconds = 0 });
            outputs.Add((string)together[run].Output!);
        }

        Assert.True(outputs.Count > 1, "the runs should not all give the same texts");
    }

    [Fact]
    public void Sample_and_race_take_each_runs_options()
    {
        using var model = TabularModels.Design();
        var strategy = Compile("""
            model policy: lm
            strategy s(prompt: text, t: real, k: int, len: int, stop: text, ban: text) -> text {
                population xs = sample policy(prompt, n: 3, temperature: t, top_k: k, max_tokens: len, stop: stop, forbid: [ban])
                population ys = race policy(prompt, n: 3, temperature: t * 0.5, max_tokens: len + 1) first 2
                return sample(xs) + "|" + sample(ys)
            }
            """);
        AssertBatchedEqualsAlone(strategy, () => new ModelBindings().Bind("policy", model), PerRun);
    }

    [Fact]
    public void Smc_steps_take_each_runs_stop_strings_and_masks()
    {
        using var model = TabularModels.Design();
        var strategy = Compile("""
            model policy: lm
            strategy s(prompt: text, t: real, k: int, len: int, stop: text, ban: text) -> text {
                population ps = spawn(4, prompt: prompt)
                smc ps with resample = systematic, ess < 0.9, steps <= 3 {
                    extend ps by policy(stop: stop, max_tokens: len + 1, temperature: t + 0.5, forbid: [ban])
                }
                return sample(ps)
            }
            """);
        AssertBatchedEqualsAlone(strategy, () => new ModelBindings().Bind("policy", model), PerRun);
    }

    [Fact]
    public void Speculative_sampling_takes_each_runs_law()
    {
        using var target = TabularModels.Design();
        using var draft = TabularModel.Parse(TabularModels.DesignExample.Replace("[0.5, 0.3, 0.1, 0.1]", "[0.25, 0.25, 0.25, 0.25]", StringComparison.Ordinal), "draft.json");
        var strategy = Compile("""
            model target: lm
            model draft: lm
            strategy s(prompt: text, t: real, k: int, len: int, stop: text, ban: text) -> text {
                population ps = speculative(prompt, target: target, draft: draft, k: 2, n: 2, temperature: t, max_tokens: len, forbid: [ban])
                return sample(ps)
            }
            """);
        AssertBatchedEqualsAlone(strategy, () => new ModelBindings().Bind("target", target).Bind("draft", draft), PerRun);
    }

    [Fact]
    public void Runs_that_differ_in_what_shapes_the_population_are_an_error_naming_both()
    {
        using var model = TabularModels.Design();
        var strategy = Compile("""
            model policy: lm
            strategy s(prompt: text, n: int) -> text {
                population xs = sample policy(prompt, n: n, max_tokens: 2)
                return sample(xs)
            }
            """);
        var error = Assert.Throws<RuntimeException>(() => strategy.Run(
            new Dictionary<string, object> { ["prompt"] = "a", ["n"] = new PerRunArgument([2L, 2L, 3L]) },
            new ModelBindings().Bind("policy", model), new FunctionBindings(), new RunOptions(0, Runs: 3)).ToList());
        Assert.Equal(
            "'n' is 2 in run 0 but 3 in run 2: the runs of one batch must agree on it, as it shapes their population; run them in separate batches",
            error.Message);
    }

    [Fact]
    public void A_bad_option_of_one_run_names_that_run()
    {
        using var model = TabularModels.Design();
        var strategy = Compile("""
            model policy: lm
            strategy s(prompt: text, t: real) -> text {
                population xs = sample policy(prompt, n: 1, temperature: t, max_tokens: 2)
                return sample(xs)
            }
            """);
        var error = Assert.Throws<RuntimeException>(() => strategy.Run(
            new Dictionary<string, object> { ["prompt"] = "a", ["t"] = new PerRunArgument([1.0, -1.0]) },
            new ModelBindings().Bind("policy", model), new FunctionBindings(), new RunOptions(0, Runs: 2)).ToList());
        Assert.StartsWith("run 1: 'temperature' must be", error.Message, StringComparison.Ordinal);
    }
}
