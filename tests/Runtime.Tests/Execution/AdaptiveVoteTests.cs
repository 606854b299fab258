using Tts.Compiler.Driver;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Tests.Models;

namespace Tts.Runtime.Tests.Execution;

/// <summary>Adaptive stopping of a vote: the rule on hand-traced vote sequences, and the runtime against the full vote.</summary>
public sealed class AdaptiveVoteTests
{
    [Theory]
    [InlineData("aaa", 3, true)] // a new key taking all 3 ties 3–3 and, seen later, loses the tie
    [InlineData("aaa", 4, false)] // a new key could reach 4
    [InlineData("aab", 1, true)] // b can tie at 2, but a was seen first
    [InlineData("baa", 1, false)] // a leads 2–1, but b can tie at 2 and was seen first
    [InlineData("abab", 0, true)] // nothing left to draw
    [InlineData("", 1, false)]
    [InlineData("aabc", 2, false)] // b can reach 3 > 2
    [InlineData("aaaabc", 2, true)] // 4 > 1 + 2 for b and c; a new key reaches 2
    [InlineData("babaa", 1, false)] // a leads 3–2, but b can tie at 3 and was seen first
    [InlineData("babaa", 0, true)]
    public void The_stopping_rule_on_hand_traced_votes(string votes, int remaining, bool decided) =>
        Assert.Equal(decided, VoteStopping.IsDecided(votes.Select(c => (object)c.ToString()).ToList(), remaining));

    [Theory]
    [InlineData("baab", "b")] // 2–2, b seen first
    [InlineData("abb", "b")]
    [InlineData("", null)]
    public void The_leader_is_the_vote_winner_with_ties_to_the_first_seen(string votes, string? leader) =>
        Assert.Equal(leader, VoteStopping.Leader(votes.Select(c => (object)c.ToString()).ToList(), out _, out _));

    private const string Program = """
        model policy: lm

        strategy adaptive(n: int = 9, wave: int = 2) -> text {
            return adaptive_vote("", from: policy, n: n, wave: wave, max_tokens: 3)
        }

        strategy full(n: int = 9) -> text {
            population xs = sample policy("", n: n, max_tokens: 3)
            return vote(xs)
        }
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void The_adaptive_vote_returns_the_full_votes_answer_and_never_spends_more_tokens(int wave)
    {
        var compilation = Compilation.Compile(SourceText.From(Program, "adaptive.tts"));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        using var model = TabularModel.Parse(TabularModels.DesignExample, "abc.json");
        var bindings = new ModelBindings().Bind("policy", model);
        var adaptiveStrategy = CompiledStrategy.Of(compilation.Optimized!, "adaptive");
        var arguments = adaptiveStrategy.Arguments();
        arguments["wave"] = (long)wave;
        var adaptive = adaptiveStrategy.Run(arguments, bindings, options: new RunOptions(5, Runs: 300));
        var fullStrategy = CompiledStrategy.Of(compilation.Optimized!, "full");
        var full = fullStrategy.Run(fullStrategy.Arguments(), bindings, options: new RunOptions(5, Runs: 300));

        Assert.Equal(full.Select(r => r.Output), adaptive.Select(r => r.Output));
        Assert.All(adaptive.Zip(full), pair => Assert.True(pair.First.Spent.Tokens <= pair.Second.Spent.Tokens));
        var (saved, total) = (full.Sum(r => r.Spent.Tokens) - adaptive.Sum(r => r.Spent.Tokens), full.Sum(r => r.Spent.Tokens));
        if (wave < 9)
        {
            Assert.True(saved > 0, $"wave {wave}: no token saved of {total}");
        }
        else
        {
            Assert.Equal(0, saved); // one wave of all n draws is the full vote
        }

        // The static bound: tokens <= n * max_tokens, calls <= n * max_tokens + 1.
        Assert.All(adaptive, r => Assert.True(r.Spent.Tokens <= 27 && r.Spent.ModelCalls <= 28, $"{r.Spent}"));
    }

    [Fact]
    public void A_wave_runs_only_its_own_rows_through_the_model()
    {
        // With one draw per wave, the full vote's n = 9 rows per run must not all go through every wave's steps: the
        // model's row-steps stay within the full vote's (each wave is 1 row per run), where decoding the waves over
        // the whole population would cost up to 9 times the full vote.
        var compilation = Compilation.Compile(SourceText.From(Program, "adaptive.tts"));
        using var adaptiveModel = new RowCountingModel(TabularModel.Parse(TabularModels.DesignExample, "abc.json"));
        using var fullModel = new RowCountingModel(TabularModel.Parse(TabularModels.DesignExample, "abc.json"));
        var adaptiveStrategy = CompiledStrategy.Of(compilation.Optimized!, "adaptive");
        var arguments = adaptiveStrategy.Arguments();
        arguments["wave"] = 1L;
        Assert.Equal(50, adaptiveStrategy.Run(arguments, new ModelBindings().Bind("policy", adaptiveModel), options: new RunOptions(5, Runs: 50)).Count());
        var fullStrategy = CompiledStrategy.Of(compilation.Optimized!, "full");
        Assert.Equal(50, fullStrategy.Run(fullStrategy.Arguments(), new ModelBindings().Bind("policy", fullModel), options: new RunOptions(5, Runs: 50)).Count());

        Assert.True(fullModel.RowSteps > 0, $"full {fullModel.RowSteps}, adaptive {adaptiveModel.RowSteps}");
        Assert.True(
            adaptiveModel.RowSteps <= fullModel.RowSteps,
            $"adaptive vote put {adaptiveModel.RowSteps} row-steps through the model against the full vote's {fullModel.RowSteps}");
    }
}
