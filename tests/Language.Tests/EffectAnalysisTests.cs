using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Effects;

namespace Tts.Language.Tests;

/// <summary>EffectAnalysis.Of on single statements: what each statement does besides computing values.</summary>
public sealed class EffectAnalysisTests
{
    private const string Program = """
        strategy helper(q: text) -> text {
            population xs = sample policy(q)
            return sample(xs)
        }

        strategy s(q: text) -> text {
            let plain = q + "1"
            population xs = sample policy(q, n: 4)
            population fs = race policy(q, n: 4) first 1
            let scored = best(xs, by: prm)
            let called = helper(q)
            population runs = repeat(2, helper(q))
            population top = rank(xs, by: prm(xs), top: 2)
            population ps = spawn(4, prompt: q)
            smc ps with resample = systematic, ess < 0.5, steps <= 2 {
                extend ps by policy(max_tokens: 4)
                factor ps += log(prm(ps)) / 2.0
            }
            population us = spawn(4, prompt: q)
            smc us with steps <= 2 {
                extend us by policy(max_tokens: 4)
                twist us = log(prm(us))
            }
            population bs = spawn(1, prompt: q)
            search bs with steps <= 2 {
                extend bs by policy(max_tokens: 4)
                score bs = prm(bs)
            }
            fork {
                let a = helper(q)
                let b = helper(q + "!")
            }
            return plain + sample(fs) + scored + called + sample(runs) + sample(top) + sample(ps) + sample(us) + best(bs, by: prm) + a + b
        }
        """;

    public static TheoryData<int, Effect> Statements() => new()
    {
        { 0, Effect.None },
        { 1, Effect.ModelCall },
        { 2, Effect.ModelCall | Effect.Heuristic },
        { 3, Effect.RewardCall },
        { 4, Effect.ModelCall },
        { 5, Effect.ModelCall | Effect.Fork },
        { 6, Effect.RewardCall | Effect.Heuristic },
        { 7, Effect.ModelCall }, // spawn prefills the prompt
        { 8, Effect.ModelCall | Effect.RewardCall | Effect.Weight | Effect.Resample },
        { 10, Effect.ModelCall | Effect.RewardCall | Effect.Heuristic },
        { 12, Effect.ModelCall | Effect.RewardCall | Effect.Heuristic },
        { 13, Effect.Fork | Effect.ModelCall },
        { 14, Effect.RewardCall },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Statement_has_its_effects(int index, Effect expected)
    {
        var strategy = ProgramBinding.BindClean(Program, "s");
        BoundStatement statement = strategy.Body[index];

        Assert.True(expected == EffectAnalysis.Of(statement), $"statement {index} ({statement.GetType().Name}): expected {EffectAnalysis.Describe(expected)}, got {EffectAnalysis.Describe(EffectAnalysis.Of(statement))}");
    }

    [Fact]
    public void Describe_lists_effects_in_declaration_order()
    {
        Assert.Equal("none", EffectAnalysis.Describe(Effect.None));
        Assert.Equal("ModelCall, Weight, Resample", EffectAnalysis.Describe(Effect.Resample | Effect.ModelCall | Effect.Weight));
    }
}
