using Tts.Cli.Eval;
using Tts.Cli.Tune;

namespace Tts.Cli.Tests;

/// <summary>Adaptive allocation, the per-difficulty rule and paired differences, on hand-made pools (exact).</summary>
public sealed class TuneAdaptiveTests
{
    private static IReadOnlyList<PoolSample> Samples(string answers, long tokens = 10) => answers.Select(a => new PoolSample(a == '_' ? "" : a.ToString(), tokens)).ToList();

    [Theory]
    [InlineData("aab", "a")]
    [InlineData("abba", "b")]
    [InlineData("abab", "a")]
    [InlineData("__b", "b")]
    [InlineData("__", "")]
    public void A_vote_takes_the_most_frequent_answer_and_on_a_tie_the_first_to_get_there(string answers, string expected) =>
        Assert.Equal(expected, AdaptiveAllocation.Vote(Samples(answers)));

    [Fact]
    public void Margins_count_the_leaders_lead_among_the_samples_used()
    {
        Assert.Equal(2, AdaptiveAllocation.Margin(Samples("aabc"), 2));
        Assert.Equal(1, AdaptiveAllocation.Margin(Samples("aabc"), 4));
        Assert.Equal(0, AdaptiveAllocation.Margin(Samples("ab"), 2));
        Assert.Equal(0, AdaptiveAllocation.Margin(Samples("__"), 2));
    }

    [Fact]
    public void Adaptive_allocation_spends_the_uniform_tokens_on_the_undecided_problems()
    {
        // Problem 0 agrees at once; problem 1 is split; problem 2 is split until its fifth sample.
        IReadOnlyList<IReadOnlyList<PoolSample>> pool = [Samples("aaaaaa"), Samples("abababa"), Samples("ababbbb")];
        var budget = AdaptiveAllocation.Tokens(pool, [3, 3, 3]); // 90 tokens: 9 samples
        var used = AdaptiveAllocation.Adaptive(pool, budget, initial: 2);
        // 2 each (60 tokens), then the closest votes: 1 (margin 0, first), 2 (margin 0), 1 (margin 1, tied with 2, first).
        Assert.Equal([2, 4, 3], used);
        Assert.True(AdaptiveAllocation.Tokens(pool, used) <= budget);
        Assert.Equal(budget, AdaptiveAllocation.Tokens(pool, used));
    }

    [Fact]
    public void Adaptive_allocation_never_exceeds_the_budget_or_a_pool()
    {
        IReadOnlyList<IReadOnlyList<PoolSample>> pool = [Samples("ab", 7), Samples("abab", 5)];
        var used = AdaptiveAllocation.Adaptive(pool, 31, initial: 2);
        Assert.Equal([2, 3], used); // 14 + 15 = 29; one more of problem 1 would be 34
        Assert.Equal([2, 4], AdaptiveAllocation.Adaptive(pool, 1000, initial: 2));
    }

    [Fact]
    public void The_rule_returns_the_agreed_answer_when_the_probe_agrees_and_the_fallback_otherwise()
    {
        IReadOnlyList<IReadOnlyList<PoolSample>> pool = [Samples("aa"), Samples("ab"), Samples("__")];
        var fallback = new[] { new ProblemOutcome(0, false, "x", 100, 3), new ProblemOutcome(1, true, "b", 100, 3), new ProblemOutcome(2, false, "", 50, 1) };
        var rule = new RoutingRule(2, null!);
        var outcomes = rule.Apply(pool, fallback, (i, answer) => answer == "a");
        Assert.Equal([true, true, false], outcomes.Select(o => o.Correct));
        Assert.Equal([20L, 120, 70], outcomes.Select(o => o.Tokens));
        Assert.Equal(1 / 3.0, rule.EasyShare(pool), 12);
    }

    [Fact]
    public void A_paired_difference_counts_discordant_problems()
    {
        ProblemOutcome O(bool correct) => new(0, correct, "", 1, 0);
        var first = new[] { O(true), O(true), O(true), O(false) };
        var second = new[] { O(true), O(false), O(false), O(true) };
        var d = PairedDifference.Of(first, second);
        Assert.Equal(0.25, d.Difference, 12);
        Assert.Equal((2, 1), (d.OnlyFirst, d.OnlySecond));
        var half = WilsonInterval.Z95 * Math.Sqrt(3 - 1 / 4.0) / 4;
        Assert.Equal(0.25 - half, d.Low, 12);
        Assert.Equal(0.25 + half, d.High, 12);
    }
}
