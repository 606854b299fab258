using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Rewards;

public sealed class FunctionBindingsTests
{
    private static readonly string[] Texts = ["a", "bb", "ccc"];

    [Fact]
    public void Per_text_and_batched_delegates_give_one_value_per_text_in_order()
    {
        var batches = new List<int>();
        var bindings = new FunctionBindings()
            .BindReward("length", DelegateReward.PerText(RewardKind.Score, text => text.Length))
            .BindReward("share", DelegateReward.Batched(RewardKind.Prob, texts =>
            {
                batches.Add(texts.Count);
                var total = texts.Sum(t => t.Length);
                return texts.Select(t => (double)t.Length / total).ToArray();
            }))
            .BindVerifier("even", DelegateVerifier.PerText(text => text.Length % 2 == 0))
            .BindVerifier("all_short", DelegateVerifier.Batched(texts => texts.Select(t => t.Length < 3).ToArray()))
            .BindExtractor("first", DelegateExtractor.PerText(text => text[..1]))
            .BindExtractor("upper", DelegateExtractor.Batched(texts => texts.Select(t => t.ToUpperInvariant()).ToArray()));

        Assert.Equal([1.0, 2.0, 3.0], bindings.Reward("length", RewardKind.Score).Evaluate(Texts));
        Assert.Equal([1 / 6.0, 2 / 6.0, 3 / 6.0], bindings.Reward("share", RewardKind.Prob).Evaluate(Texts));
        Assert.Equal([3], batches); // the batched delegate saw the whole batch in one call
        Assert.Equal([false, true, false], bindings.Verifier("even").Verify(Texts));
        Assert.Equal([true, true, false], bindings.Verifier("all_short").Verify(Texts));
        Assert.Equal(["a", "b", "c"], bindings.Extractor("first").Extract(Texts));
        Assert.Equal(["A", "BB", "CCC"], bindings.Extractor("upper").Extract(Texts));
        Assert.Equal(RewardKind.Prob, bindings.Reward("share", RewardKind.Prob).Kind);
        Assert.Empty(bindings.Reward("length", RewardKind.Score).Evaluate([]));
    }

    [Fact]
    public void A_missing_binding_names_itself_and_what_is_bound()
    {
        var empty = Assert.Throws<RuntimeException>(() => new FunctionBindings().Verifier("valid"));
        Assert.Equal("verifier 'valid' is not bound: bind it with FunctionBindings.BindVerifier(\"valid\", ...)", empty.Message);

        var bindings = new FunctionBindings().BindReward("prm", DelegateReward.PerText(RewardKind.Score, _ => 0));
        var error = Assert.Throws<RuntimeException>(() => bindings.Extractor("final_answer"));
        Assert.Equal("extractor 'final_answer' is not bound: bind it with FunctionBindings.BindExtractor(\"final_answer\", ...) (bound: prm)", error.Message);
    }

    [Fact]
    public void A_name_is_bound_once_whatever_the_kind()
    {
        var bindings = new FunctionBindings().BindExtractor("answer", DelegateExtractor.PerText(t => t));
        var sameKind = Assert.Throws<RuntimeException>(() => bindings.BindExtractor("answer", DelegateExtractor.PerText(t => t)));
        Assert.Equal("'answer' is already bound (as an extractor): bind each name once", sameKind.Message);
        var otherKind = Assert.Throws<RuntimeException>(() => bindings.BindVerifier("answer", DelegateVerifier.PerText(_ => true)));
        Assert.Equal("'answer' is already bound (as an extractor): bind each name once", otherKind.Message);
    }

    [Fact]
    public void A_binding_of_the_wrong_kind_names_both_kinds()
    {
        var bindings = new FunctionBindings()
            .BindVerifier("valid", DelegateVerifier.PerText(_ => true))
            .BindReward("correct", DelegateReward.PerText(RewardKind.Prob, _ => 0.5));

        var asReward = Assert.Throws<RuntimeException>(() => bindings.Reward("valid", RewardKind.Score));
        Assert.Equal("'valid' is bound to a verifier, but the program uses it as a reward", asReward.Message);
        var asExtractor = Assert.Throws<RuntimeException>(() => bindings.Extractor("correct"));
        Assert.Equal("'correct' is bound to a reward, but the program uses it as an extractor", asExtractor.Message);
        var wrongRewardKind = Assert.Throws<RuntimeException>(() => bindings.Reward("correct", RewardKind.Score));
        Assert.Equal("reward 'correct' is declared Score but bound to a Prob reward", wrongRewardKind.Message);
    }

    [Fact]
    public void Results_that_do_not_fit_the_batch_or_the_kind_are_refused_naming_the_binding()
    {
        var bindings = new FunctionBindings()
            .BindReward("short", DelegateReward.Batched(RewardKind.Score, texts => texts.Skip(1).Select(_ => 1.0).ToArray()))
            .BindReward("nan", DelegateReward.PerText(RewardKind.Score, _ => double.NaN))
            .BindReward("prob", DelegateReward.PerText(RewardKind.Prob, text => text.Length / 2.0))
            .BindReward("unbounded", DelegateReward.PerText(RewardKind.Score, _ => double.NegativeInfinity))
            .BindVerifier("nothing", DelegateVerifier.Batched(_ => null!))
            .BindExtractor("null", DelegateExtractor.PerText(text => text == "bb" ? null! : text));

        Assert.Equal(
            "reward 'short' (Score) returned 2 results for a batch of 3 texts (one per text expected)",
            Assert.Throws<RuntimeException>(() => bindings.Reward("short", RewardKind.Score).Evaluate(Texts)).Message);
        Assert.Equal(
            "reward 'nan' (Score) returned NaN for text 0",
            Assert.Throws<RuntimeException>(() => bindings.Reward("nan", RewardKind.Score).Evaluate(Texts)).Message);
        Assert.Equal(
            "reward 'prob' (Prob) returned 1.5, outside [0, 1] for text 2",
            Assert.Throws<RuntimeException>(() => bindings.Reward("prob", RewardKind.Prob).Evaluate(Texts)).Message);
        Assert.Equal(
            "verifier 'nothing' returned no results for a batch of 3 texts",
            Assert.Throws<RuntimeException>(() => bindings.Verifier("nothing").Verify(Texts)).Message);
        Assert.Equal(
            "extractor 'null' returned null (return \"\" for no answer) for text 1",
            Assert.Throws<RuntimeException>(() => bindings.Extractor("null").Extract(Texts)).Message);

        // A Score may be infinite (e.g. a log-probability of an impossible text); only NaN is refused.
        Assert.All(bindings.Reward("unbounded", RewardKind.Score).Evaluate(Texts), v => Assert.True(double.IsNegativeInfinity(v)));
    }
}
