using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Compiler.IR;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>A different argument per batched run (an evaluation's questions) runs each run as if it ran alone with its value.</summary>
public sealed class PerRunArgumentTests
{
    private const string Program = """
        model policy: lm
        reward seen: Score
        strategy s(prompt: text, n: int = 4) -> text {
            population xs = sample policy(prompt, n: n, temperature: 1.0, max_tokens: 6)
            return best(xs, by: seen)
        }
        """;

    private static CompiledStrategy Compile() => TestPrograms.Strategy(Program, "s");

    [Fact]
    public void Each_run_gets_its_own_value_and_equals_the_same_run_alone()
    {
        using var model = TabularModels.Design();
        var function = Compile();
        string[] prompts = ["a", "b", "c", "ab", "ba"];
        var received = new List<IReadOnlyList<string>>();
        FunctionBindings Bindings() => new FunctionBindings().BindReward("seen", DelegateReward.Batched(RewardKind.Score, texts =>
        {
            received.Add(texts.ToList());
            return texts.Select(t => (double)t.Length).ToArray();
        }));

        var together = function.Run(new Dictionary<string, object> { ["prompt"] = new PerRunArgument(prompts), ["n"] = 4L },
            new ModelBindings().Bind("policy", model), Bindings(), new RunOptions(3, Runs: prompts.Length)).ToList();
        Assert.Equal(prompts.Length * 4, received.Single().Count);
        for (var run = 0; run < prompts.Length; run++)
        {
            var alone = function.Run(new Dictionary<string, object> { ["prompt"] = prompts[run], ["n"] = 4L },
                new ModelBindings().Bind("policy", model), Bindings(), new RunOptions(3, Runs: 1, FirstRun: run)).Single();
            Assert.Equal(alone.Output, together[run].Output);
            Assert.Equal(alone.Spent with { Seconds = 0 }, together[run].Spent with { Seconds = 0 });
            Assert.Equal(received[^1], received[0].Skip(run * 4).Take(4));
        }
    }

    [Fact]
    public void A_value_count_other_than_the_run_count_is_an_error()
    {
        using var model = TabularModels.Design();
        var error = Assert.Throws<RuntimeException>(() => Compile().Run(
            new Dictionary<string, object> { ["prompt"] = new PerRunArgument(["a", "b"]), ["n"] = 2L },
            new ModelBindings().Bind("policy", model), new FunctionBindings().BindReward("seen", DelegateReward.PerText(RewardKind.Score, t => 0)),
            new RunOptions(0, Runs: 3)).ToList());
        Assert.Contains("parameter 'prompt' has 2 per-run values for 3 runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_learn_the_run_of_each_text_even_when_a_batch_holds_some_particles_only()
    {
        using var model = TabularModels.Design();
        const string program = """
            model policy: lm
            reward seen: Score
            strategy s(prompt: text, n: int = 3) -> text {
                population ps = spawn(n, prompt: prompt)
                smc ps with resample = systematic, ess < 0.5, steps <= 3 {
                    extend ps by policy(stop: "b", max_tokens: 3, temperature: 1.0)
                    factor ps += log(seen(ps))
                }
                return sample(ps)
            }
            """;
        string[] prompts = ["a", "b", "c", "ab"];
        var calls = 0;
        var functions = new FunctionBindings().BindReward("seen", DelegateReward.Batched(RewardKind.Score, texts =>
        {
            calls++;
            var runs = texts.Select((_, i) => FunctionCallContext.RunOf(i)).ToList();
            Assert.All(runs, r => Assert.InRange(r, 0, prompts.Length - 1));
            Assert.Equal(runs.Order(), runs); // particles of a run are contiguous, runs in order
            return texts.Select(_ => 1.0).ToArray();
        }));
        _ = TestPrograms.Strategy(program, "s").Run(new Dictionary<string, object> { ["prompt"] = new PerRunArgument(prompts), ["n"] = 3L },
            new ModelBindings().Bind("policy", model), functions, new RunOptions(7, Runs: prompts.Length)).ToList();
        Assert.True(calls > 0);
    }

    [Fact]
    public void Outside_a_call_the_run_of_a_text_is_an_error() =>
        Assert.Throws<RuntimeException>(() => FunctionCallContext.RunOf(0));
}
