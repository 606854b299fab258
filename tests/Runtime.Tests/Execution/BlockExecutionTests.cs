using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models;
using Tts.TestSupport.Strategies;

namespace Tts.Runtime.Tests.Execution;

/// <summary>The semantics of smc, search, race, rank, repeat, refine, speculative, calls and budgets, checked exactly.</summary>
public sealed class BlockExecutionTests
{
    private static IrModule Compile(string program, OptimizationLevel level = OptimizationLevel.O1) => TestPrograms.Compile(program, level).Optimized!;

    /// <summary>Runs a strategy of a program on the design model with its parameters' defaults (shared by other execution tests).</summary>
    internal static List<RunResult> Run(
        string program, string strategy, RunOptions options, OptimizationLevel level = OptimizationLevel.O1, FunctionBindings? functions = null,
        CancellationToken cancellation = default)
    {
        using var model = TabularModels.Design();
        var module = Compile(program, level);
        var compiled = CompiledStrategy.Of(module, strategy);
        return compiled.Run(compiled.Arguments(), new ModelBindings().Bind("policy", model).Bind("draft", model), functions ?? new FunctionBindings(), options, cancellation)
            .Select(r => r.Untimed())
            .ToList();
    }

    private const string Twisted = """
        model policy: lm
        strategy plain(n: int = 6) -> text {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 4 {
                extend ps by policy(max_tokens: 1)
            }
            return sample(ps)
        }
        strategy twisted(n: int = 6) -> text {
            population ps = spawn(n, prompt: "")
            smc ps with steps <= 4 {
                extend ps by policy(max_tokens: 1)
                twist ps = weight(1.0 * count(ps, "b"))
            }
            return sample(ps)
        }
        """;

    [Fact]
    public void A_twist_without_resampling_leaves_no_trace_in_the_final_weights()
    {
        // Same streams, no resampling: the twist only moves weights, and the end of the block removes it exactly.
        var plain = Run(Twisted, "plain", new RunOptions(5, Runs: 40));
        var twisted = Run(Twisted, "twisted", new RunOptions(5, Runs: 40));
        Assert.Equal(plain.Select(r => r.Output), twisted.Select(r => r.Output));
    }

    [Fact]
    public void A_condition_kills_the_particles_that_break_it_and_an_all_dead_run_has_no_output()
    {
        const string program = """
            model policy: lm
            strategy s(n: int = 8) -> text {
                population ps = spawn(n, prompt: "")
                smc ps with resample = multinomial, steps <= 4 {
                    extend ps by policy(max_tokens: 1)
                    condition ps: not contains(ps, "c")
                }
                return sample(ps)
            }
            strategy none(n: int = 4) -> text {
                population ps = spawn(n, prompt: "")
                smc ps with steps <= 4 {
                    extend ps by policy(max_tokens: 1)
                    condition ps: len(ps) > 100
                }
                return sample(ps)
            }
            """;
        var results = Run(program, "s", new RunOptions(1, Runs: 200));
        Assert.All(results, r => Assert.DoesNotContain("c", (string?)r.Output ?? "", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Output is string { Length: > 1 });
        Assert.All(Run(program, "none", new RunOptions(1, Runs: 5)), r => Assert.Null(r.Output));
    }

    [Fact]
    public void Forbid_in_smc_masks_the_tokens_and_no_text_contains_them()
    {
        const string program = """
            model policy: lm
            strategy s(n: int = 4) -> population {
                population ps = spawn(n, prompt: "")
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(max_tokens: 1, forbid: ["b"])
                }
                return ps
            }
            """;
        foreach (var result in Run(program, "s", new RunOptions(3, Runs: 50)))
        {
            var texts = Assert.IsType<object[]>(result.Output);
            Assert.Equal(4, texts.Length);
            Assert.All(texts, t => Assert.DoesNotContain("b", (string)t, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Beam_search_keeps_the_best_scored_child_at_every_step()
    {
        // Width 1: each step keeps the child with the most b's (ties to the lower index), so the result starts with b
        // whenever one of the 8 first children does (probability 1 − 0.7^8 ≈ 0.94 under this model; plain sampling: 0.3).
        const string program = """
            model policy: lm
            reward bees: Score
            strategy s() -> text {
                population ps = spawn(1, prompt: "")
                search ps with method = beam, width = 1, expand = 8, steps <= 3 {
                    extend ps by policy(max_tokens: 1)
                    score ps = bees(ps)
                }
                return best(ps, by: bees)
            }
            """;
        var functions = new FunctionBindings().BindReward("bees", DelegateReward.PerText(RewardKind.Score, t => t.Count(c => c == 'b')));
        var results = Run(program, "s", new RunOptions(8, Runs: 50), functions: functions);
        Assert.InRange(results.Count(r => ((string)r.Output!).StartsWith('b')), 42, 50);
        // Only the children of a step are scored (8 per step while live), plus the kept node once by `best`.
        Assert.All(results, r => Assert.True(r.Spent.RewardCalls <= 3 * 8 + 1, $"{r.Spent.RewardCalls} reward calls"));
    }

    [Fact]
    public void A_race_keeps_the_first_particles_to_finish()
    {
        const string program = """
            model policy: lm
            strategy s() -> population {
                population xs = race policy("", n: 8, max_tokens: 4) first 3
                return xs
            }
            strategy all() -> population {
                population xs = sample policy("", n: 8, max_tokens: 4)
                return xs
            }
            """;
        var raced = Run(program, "s", new RunOptions(2, Runs: 30));
        var full = Run(program, "all", new RunOptions(2, Runs: 30));
        for (var run = 0; run < 30; run++)
        {
            var kept = ((object[])raced[run].Output!).Cast<string>().ToList();
            // Tokens to finish: the text and EOS, or the 4-token limit.
            static int Tokens(string text) => Math.Min(text.Length + 1, 4);
            var all = ((object[])full[run].Output!).Cast<string>().Select(Tokens).OrderBy(l => l).ToList();
            Assert.Equal(3, kept.Count);

            // The same streams: the kept texts are the three quickest of the full decode, and the race spends no more.
            Assert.Equal(all.Take(3), kept.Select(Tokens).OrderBy(l => l));
            Assert.True(raced[run].Spent.Tokens <= full[run].Spent.Tokens);
        }
    }

    private const string Calls = """
        model policy: lm
        strategy inner(q: text, n: int = 3) -> text {
            population xs = sample policy(q, n: n, max_tokens: 3)
            return sample(xs)
        }
        strategy outer(q: text = "a") -> text {
            population runs = repeat(4, inner(q))
            let first = inner(q, n: 2)
            refine r = first by inner(r) with rounds <= 3, until = ends_with(r, "b")
            return vote(runs) + "|" + r
        }
        """;

    [Fact]
    public void Inlined_calls_draw_what_executed_calls_draw()
    {
        var o0 = Run(Calls, "outer", new RunOptions(11, Runs: 25), OptimizationLevel.O0);
        var o1 = Run(Calls, "outer", new RunOptions(11, Runs: 25));
        Assert.Equal(o0, o1);
        Assert.DoesNotContain(IrTree.All(Compile(Calls).Find("outer")!.Instructions), i => i is IrCallStrategy);
    }

    [Fact]
    public void Repeat_and_refine_runs_do_not_depend_on_their_batch()
    {
        var together = Run(Calls, "outer", new RunOptions(4, Runs: 6));
        for (var run = 0; run < 6; run++)
        {
            Assert.Equal(together[run], Run(Calls, "outer", new RunOptions(4, Runs: 1, FirstRun: run)).Single());
        }
    }

    [Fact]
    public void A_run_over_its_budget_stops_with_an_error_naming_it()
    {
        const string program = """
            model policy: lm
            strategy s(n: int = 50) -> text
                budget tokens <= 3 * n
            {
                population xs = sample policy("", n: n * 4, max_tokens: 4)
                return sample(xs)
            }
            """;
        var error = Assert.Throws<RuntimeException>(() => Run(program, "s", new RunOptions(0, Runs: 2)));
        Assert.Contains("over its budget tokens <= 150", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_run_stops_before_its_next_model_step()
    {
        const string program = """
            model policy: lm
            strategy s() -> text {
                population xs = sample policy("", n: 4)
                return sample(xs)
            }
            """;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Run(program, "s", new RunOptions(), cancellation: cancelled.Token));
    }

    private const string SpeculativeProgram = """
        model policy: lm
        model draft: lm
        strategy s() -> text {
            population ps = speculative("", target: policy, draft: draft, k: 2, max_tokens: 4)
            return sample(ps)
        }
        """;

    [Fact]
    public void Speculative_sampling_with_the_draft_equal_to_the_target_accepts_every_proposal_and_spends_both_models()
    {
        var results = Run(SpeculativeProgram, "s", new RunOptions(6, Runs: 20));
        Assert.All(results, r => Assert.NotNull(r.Output));

        // Every token is counted twice (draft and target) and every step is two model calls after two prefills.
        Assert.All(results, r => Assert.Equal(0, r.Spent.Tokens % 2));
        Assert.All(results, r => Assert.Equal(2 + r.Spent.Tokens, r.Spent.ModelCalls));
    }

    /// <summary>
    /// Issue 17: speculative sampling compared only the vocabularies' sizes, so a draft whose token ids mean other tokens
    /// was accepted and its acceptance ratios p/q compared unrelated tokens. Now the tokens (and EOS) must be the same.
    /// </summary>
    [Theory]
    [InlineData("""["b", "a", "<eos>"]""", """{"": [0.5, 0.5, 0], "a": [0, 0, 1], "b": [0, 0, 1]}""", "token 0 is \"b\" in 'draft' and \"a\" in 'policy'")]
    [InlineData("""["a", "<eos>", "b"]""", """{"": [0.5, 0, 0.5], "a": [0, 1, 0], "b": [0, 1, 0]}""", "token 1 is \"<eos>\" in 'draft' and \"b\" in 'policy'")]
    public void Speculative_refuses_a_draft_whose_tokens_differ_from_the_target(string draftTokens, string draftProbs, string named)
    {
        using var target = TabularModel.Parse("""
            {"format": "tts-tabular-lm/1", "vocab": ["a", "b", "<eos>"], "eos": "<eos>", "order": 1, "max_tokens": 4,
             "probs": {"": [0.5, 0.5, 0], "a": [0, 0, 1], "b": [0, 0, 1]}}
            """, "target");
        using var draft = TabularModel.Parse(
            $$"""{"format": "tts-tabular-lm/1", "vocab": {{draftTokens}}, "eos": "<eos>", "order": 1, "max_tokens": 4, "probs": {{draftProbs}}}""", "draft");
        var compiled = CompiledStrategy.Of(Compile(SpeculativeProgram), "s");

        var error = Assert.Throws<RuntimeException>(() =>
            compiled.Run(compiled.Arguments(), new ModelBindings().Bind("policy", target).Bind("draft", draft), new FunctionBindings(), new RunOptions(1, Runs: 2)).ToList());
        Assert.Contains("speculative needs the draft and the target to share a vocabulary, but " + named, error.Message, StringComparison.Ordinal);
    }
}
