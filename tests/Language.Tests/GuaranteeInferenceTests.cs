using Tts.Language.Binding.Guarantees;

namespace Tts.Language.Tests;

/// <summary>
/// The guarantee table: small programs (under <see cref="ProgramBinding.Prelude"/>) with the guarantee the binder
/// must infer for their strategy <c>s</c>, and a fragment of the target or reason where it matters.
/// </summary>
public sealed class GuaranteeInferenceTests
{
    public static TheoryData<string, string, Guarantee, string> Rows() => new()
    {
        { "plain sample", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, temperature: 0.5, max_tokens: 16)
                return sample(xs)
            }
            """, Guarantee.Exact, "policy(q) with temperature 0.5, at most 16 tokens" },
        { "an extractor applied to an argmax stays heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                return final_answer(best(xs, by: prm))
            }
            """, Guarantee.Heuristic, "returns an argmax" },
        { "a callee's target names the arguments it was called with", """
            strategy one(q: text, temperature: real = 1.0) -> text {
                population xs = sample policy(q, temperature: temperature)
                return sample(xs)
            }

            strategy s(q: text) -> text {
                return one(q, temperature: 0.5)
            }
            """, Guarantee.Exact, "where temperature = 0.5" },
        { "particle Gibbs is consistent: an MCMC kernel that leaves the target invariant", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = multinomial, steps <= 8, iterations = 3 {
                    extend ps by policy(max_tokens: 16)
                    factor ps += log(prm(ps))
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "particle Gibbs (iterations = 3): sweeps of conditional SMC" },
        { "tempered (entropic) weights give up the target", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, steps <= 8, temper = 0.5 {
                    extend ps by policy(max_tokens: 16)
                    factor ps += log(prm(ps))
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "with temper = 0.5 resamples from the weights raised to a power β ≤ 1" },
        { "step speculation with the likelihood-ratio acceptance is exact for the redrawing model", """
            strategy s(q: text, log_m: real = 1.0) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with steps <= 8 {
                    extend ps by draft(stop: "\n", max_tokens: 16)
                    reextend ps where uniform(ps) >= exp(real(step_logp(policy, ps) - step_logp(draft, ps)) - log_m) by policy(stop: "\n", max_tokens: 16)
                }
                return sample(ps)
            }
            """, Guarantee.Exact, "continued by policy(stop: \"\\n\", max_tokens: 16) (drafted by draft, accepted with probability p_policy/(M·p_draft), M = exp(log_m)" },
        { "step speculation judged by a reward is heuristic", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with steps <= 8 {
                    extend ps by draft(stop: "\n", max_tokens: 16)
                    reextend ps where real(prm(ps)) < 0.5 by policy(stop: "\n", max_tokens: 16)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "keeps a step of draft or redraws it from policy by the condition real(prm(ps)) < 0.5" },
        { "the likelihood ratio under a temperature is not the sampled law: heuristic", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with steps <= 8 {
                    extend ps by draft(stop: "\n", max_tokens: 16, temperature: 0.7)
                    reextend ps where uniform(ps) >= exp(real(step_logp(policy, ps) - step_logp(draft, ps)) - 1.0) by policy(stop: "\n", max_tokens: 16)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "that is not the likelihood ratio" },
        { "step speculation whose steps differ in length is heuristic", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with steps <= 8 {
                    extend ps by draft(stop: "\n", max_tokens: 8)
                    reextend ps where uniform(ps) >= exp(real(step_logp(policy, ps) - step_logp(draft, ps)) - 1.0) by policy(stop: "\n", max_tokens: 16)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "that is not the likelihood ratio" },
        { "deterministic return is a point mass", """
            strategy s(q: text) -> text {
                return q + "!"
            }
            """, Guarantee.Exact, "a point mass on the returned value" },
        { "deterministic return ignores an unused population", """
            strategy s(q: text) -> int {
                population xs = sample policy(q)
                let unused_draw = sample(xs)
                return len(q)
            }
            """, Guarantee.Exact, "a point mass" },
        { "first is rejection sampling", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 8)
                return first(xs, where: valid(xs), otherwise: "")
            }
            """, Guarantee.Exact, "conditioned on valid(xs)" },
        { "first over a weighted population ignores weights", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(max_tokens: 8)
                    factor ps += log(prm(ps)) / 2.0
                }
                return first(ps, where: valid(ps))
            }
            """, Guarantee.Heuristic, "ignores the weights" },
        { "speculative sampling is exact for the target model", """
            strategy s(q: text) -> text {
                population ps = speculative(q, target: policy, draft: draft, k: 4, max_tokens: 32)
                return sample(ps)
            }
            """, Guarantee.Exact, "policy(q)" },
        { "smc with a factor is consistent", """
            strategy s(q: text, tau: real = 2.0) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 8 {
                    extend ps by policy(max_tokens: 8)
                    factor ps += log(prm(ps)) / tau
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "reweighted by exp(log(prm(ps)) / tau)" },
        { "importance sampling with a proposal model is consistent", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with steps <= 1 {
                    extend ps by draft()
                    factor ps += logp(policy, ps, after: q) - logp(draft, ps, after: q)
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "continued by draft(), reweighted by exp(logp(policy, ps, after: q) - logp(draft, ps, after: q))" },
        { "a judge's likelihood of a text after each particle is a consistent weight", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with resample = systematic, steps <= 1 {
                    extend ps by policy()
                    factor ps += logp(draft, " Yes", after: q + ps + "\nCorrect?")
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "reweighted by exp(logp(draft, \" Yes\", after: q + ps + \"\\nCorrect?\"))" },
        { "a judge's likelihood as a ranking is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 8)
                return best(xs, by: real(logp(draft, " Yes", after: q + xs)))
            }
            """, Guarantee.Heuristic, "returns an argmax" },
        { "an adaptive vote is a mode: heuristic", """
            strategy s(q: text) -> text {
                return adaptive_vote(q, from: policy, n: 16, wave: 4, key: answer)
            }
            """, Guarantee.Heuristic, "adaptive_vote(...) returns a mode" },
        { "smc with observe is consistent", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with resample = residual, ess < 0.5, steps <= 8 {
                    extend ps by policy(max_tokens: 8)
                    observe ps: p_ok(ps)
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "reweighted by p_ok(ps)" },
        { "smc with condition is consistent", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with resample = stratified, ess < 0.5, steps <= 8 {
                    extend ps by policy(max_tokens: 8)
                    condition ps: not contains(ps, "x")
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "conditioned on not contains(ps, \"x\")" },
        { "smc without weights keeps i.i.d. draws: exact", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with steps <= 8 {
                    extend ps by policy(max_tokens: 8)
                }
                return sample(ps)
            }
            """, Guarantee.Exact, "continued by policy(max_tokens: 8), for up to 8 steps" },
        { "twist alone steers without changing the target: still consistent", """
            strategy s(q: text) -> text {
                population ps = spawn(8, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 8 {
                    extend ps by policy(max_tokens: 8)
                    twist ps = log(prm(ps))
                    condition ps: len(ps) < 500
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "conditioned on len(ps) < 500, for up to 8 steps" },
        { "smc over a raced population stays heuristic", """
            strategy s(q: text) -> text {
                population ps = race policy(q, n: 4, max_tokens: 8) first 2
                smc ps with resample = systematic, ess < 0.5, steps <= 2 {
                    extend ps by policy(max_tokens: 8)
                    factor ps += log(prm(ps)) / 2.0
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "race keeps the first particles to finish" },
        { "smc over a ranked population stays heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 8)
                population ps = rank(xs, by: prm(xs), top: 4)
                smc ps with steps <= 2 {
                    extend ps by policy(max_tokens: 8)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "rank(xs, ...) keeps the top-scoring particles" },
        { "search is heuristic", """
            strategy s(q: text) -> text {
                population ps = spawn(1, prompt: q)
                search ps with method = beam, steps <= 4 {
                    extend ps by policy(max_tokens: 8)
                    score ps = prm(ps)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "search keeps the best-scoring partial texts (beam search)" },
        { "race is heuristic", """
            strategy s(q: text) -> text {
                population fs = race policy(q, n: 4) first 1
                return sample(fs)
            }
            """, Guarantee.Heuristic, "favours short texts" },
        { "best is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                return best(xs, by: prm)
            }
            """, Guarantee.Heuristic, "argmax" },
        { "vote is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                return vote(xs, key: answer(xs), weight: p_ok)
            }
            """, Guarantee.Heuristic, "mode" },
        { "rank is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                population top = rank(xs, by: len(xs), top: 2)
                return sample(top)
            }
            """, Guarantee.Heuristic, "top-scoring" },
        { "a sample whose prompt comes from a vote is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                let hint = vote(xs, key: answer(xs))
                population ys = sample policy(q + hint)
                return sample(ys)
            }
            """, Guarantee.Heuristic, "vote(xs, ...) returns a mode" },
        { "spawn from a voted prompt is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                population ps = spawn(2, prompt: vote(xs, key: answer(xs)))
                smc ps with steps <= 2 {
                    extend ps by policy(max_tokens: 8)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "mode" },
        { "refine is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q)
                refine a = sample(xs) by a + "." with rounds <= 2
                return a
            }
            """, Guarantee.Heuristic, "keeps rewriting" },
        { "a value computed from an exact sample keeps the law", """
            strategy s(q: text) -> int {
                population xs = sample policy(q)
                return len(sample(xs))
            }
            """, Guarantee.Exact, "the law of len(sample(xs))" },
        { "combining two random values claims nothing (their dependence is not tracked)", """
            strategy s(q: text) -> text {
                population xs = sample policy(q)
                population ys = sample draft(q)
                return sample(xs) + sample(ys)
            }
            """, Guarantee.Heuristic, "joint law the compiler does not track" },
        { "two draws from one population are dependent", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 1)
                let a = sample(xs)
                let b = sample(xs)
                return a + b
            }
            """, Guarantee.Heuristic, "joint law" },
        { "a value computed in an smc body does not escape it", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(stop: "\n")
                    factor ps += log(prm(ps)) / 2.0
                    let a = len(ps)
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "reweighted by" },
        { "a mask makes smc particles weighted", """
            strategy s(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with steps <= 4 {
                    extend ps by policy(max_tokens: 1, forbid: "e")
                }
                return sample(ps)
            }
            """, Guarantee.Consistent, "forbid: \"e\"" },
        { "a consistent input caps an exact sampler", """
            strategy w(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(stop: "\n")
                    factor ps += log(prm(ps)) / 2.0
                }
                return sample(ps)
            }

            strategy s(q: text) -> text {
                population ys = sample policy(w(q), n: 2)
                return sample(ys)
            }
            """, Guarantee.Consistent, "an input is only consistent" },
        { "a random fallback of first is not tracked", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                population zs = sample policy(q, n: 4)
                return first(xs, where: valid(xs), otherwise: best(zs, by: prm))
            }
            """, Guarantee.Heuristic, "" },
        { "an exact and a heuristic part make a heuristic whole", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 2)
                return sample(xs) + best(xs, by: prm)
            }
            """, Guarantee.Heuristic, "argmax" },
        { "returning an exact population", """
            strategy s(q: text) -> population {
                population xs = sample policy(q, n: 4)
                return xs
            }
            """, Guarantee.Exact, "returns 'xs', i.i.d. draws of the target" },
        { "returning a weighted population", """
            strategy s(q: text) -> population {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(max_tokens: 8)
                    observe ps: p_ok(ps)
                }
                return ps
            }
            """, Guarantee.Consistent, "returns 'ps', properly weighted for the target" },
        { "calling an exact strategy is exact", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }
            strategy s(q: text) -> text {
                return one(q + "?")
            }
            """, Guarantee.Exact, "one(...) is exact" },
        { "calling a consistent strategy is consistent", """
            strategy pf(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(max_tokens: 8)
                    factor ps += log(prm(ps)) / 2.0
                }
                return sample(ps)
            }
            strategy s(q: text) -> text {
                let a = pf(q)
                return a
            }
            """, Guarantee.Consistent, "pf(...) is consistent" },
        { "calling a strategy with a heuristic argument is heuristic", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }
            strategy s(q: text) -> text {
                population xs = sample policy(q, n: 4)
                return one(best(xs, by: prm))
            }
            """, Guarantee.Heuristic, "argmax" },
        { "a population from a strategy keeps the callee's law", """
            strategy pool(q: text) -> population {
                population xs = sample policy(q, n: 4)
                return xs
            }
            strategy s(q: text) -> text {
                population xs = pool(q)
                return first(xs, where: valid(xs))
            }
            """, Guarantee.Exact, "conditioned on valid(xs)" },
        { "repeat of an exact strategy is exact", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }
            strategy s(q: text) -> text {
                population runs = repeat(4, one(q))
                return sample(runs)
            }
            """, Guarantee.Exact, "policy(q)" },
        { "repeat of a consistent strategy is consistent", """
            strategy pf(q: text) -> text {
                population ps = spawn(4, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= 4 {
                    extend ps by policy(max_tokens: 8)
                    condition ps: valid(ps)
                }
                return sample(ps)
            }
            strategy s(q: text) -> text {
                population runs = repeat(3, pf(q))
                return sample(runs)
            }
            """, Guarantee.Consistent, "repeat runs pf(...) independently" },
        { "repeat of a heuristic strategy then vote is heuristic", """
            strategy bon(q: text) -> text {
                population xs = sample policy(q, n: 4)
                return best(xs, by: prm)
            }
            strategy s(q: text) -> text {
                population runs = repeat(3, bon(q))
                return sample(runs)
            }
            """, Guarantee.Heuristic, "argmax" },
        { "speculative sampling's target names its truncation", """
            strategy s(q: text) -> text {
                population ps = speculative(q, target: policy, draft: draft, k: 4, top_k: 3, max_tokens: 32)
                return sample(ps)
            }
            """, Guarantee.Exact, "top-k 3" },
        { "forbid masks tokens, it does not promise the string never appears", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, forbid: ["ab"])
                return sample(xs)
            }
            """, Guarantee.Exact, "no token containing [\"ab\"] (masked per token)" },
        { "a prompt drawn from an earlier sample prints with its law", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ys = sample policy(sample(xs), n: 3)
                return sample(ys)
            }
            """, Guarantee.Exact, "where sample(xs) follows policy(q)" },
        { "first over draws sharing a random prompt is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ys = sample policy(sample(xs), n: 3)
                return first(ys, where: valid(ys), otherwise: "")
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "first over draws sharing a random option is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ys = sample policy(q, n: 3, max_tokens: len(sample(xs)) + 1)
                return first(ys, where: valid(ys), otherwise: "")
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "a weighted smc from a random prompt is heuristic", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ps = spawn(3, prompt: sample(xs))
                smc ps with steps <= 2 {
                    extend ps by policy(max_tokens: 4)
                    observe ps: p_ok(ps)
                }
                return sample(ps)
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "an unweighted smc from a random prompt stays exact (one particle follows the mixture)", """
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ps = spawn(3, prompt: sample(xs))
                smc ps with steps <= 2 {
                    extend ps by policy(max_tokens: 4)
                }
                return sample(ps)
            }
            """, Guarantee.Exact, "continuations" },
        { "first over a population a callee returns from a random argument is heuristic", """
            strategy draws(q: text) -> population {
                population ys = sample policy(q, n: 3)
                return ys
            }
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population ys = draws(sample(xs))
                return first(ys, where: valid(ys), otherwise: "")
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "first over repeats of a call with a random argument is heuristic", """
            strategy one(q: text) -> text {
                population ys = sample policy(q)
                return sample(ys)
            }
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                population runs = repeat(3, one(sample(xs)))
                return first(runs, where: valid(runs), otherwise: "")
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "a strategy that samples repeats of a rejection sampler, called with a random argument, is heuristic", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return first(xs, where: valid(xs))
            }
            strategy pick(q: text) -> text {
                population runs = repeat(3, one(q))
                return sample(runs)
            }
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                return pick(sample(xs))
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "a strategy that samples from a rejection sampler's output, called with a random argument, is heuristic", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return first(xs, where: valid(xs))
            }
            strategy more(q: text) -> text {
                population ys = sample policy(one(q), max_tokens: 2)
                return sample(ys)
            }
            strategy s(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                return more(sample(xs))
            }
            """, Guarantee.Heuristic, "share a random input" },
        { "rejection sampling over repeated runs is exact", """
            strategy one(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }
            strategy s(q: text) -> text {
                population runs = repeat(4, one(q))
                return first(runs, where: valid(runs))
            }
            """, Guarantee.Exact, "conditioned on valid(runs)" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Strategy_has_the_inferred_guarantee(string description, string program, Guarantee expected, string fragment)
    {
        var strategy = ProgramBinding.BindClean(program, "s");

        Assert.True(expected == strategy.Guarantee.Level, $"{description}: expected {expected}, inferred {strategy.Guarantee.LevelName} ({strategy.Guarantee.Reason})");
        var explanation = strategy.Guarantee.Target + " | " + strategy.Guarantee.Reason;
        Assert.True(explanation.Contains(fragment, StringComparison.Ordinal), $"{description}: '{fragment}' not in: {explanation}");
    }

    public static TheoryData<string, string, bool> Claims() => new()
    {
        { "exact", "population xs = sample policy(q)\n    return sample(xs)", true },
        { "consistent", "population xs = sample policy(q)\n    return sample(xs)", true },
        { "heuristic", "population xs = sample policy(q)\n    return sample(xs)", true },
        { "heuristic", "population xs = sample policy(q, n: 2)\n    return best(xs, by: prm)", true },
        { "consistent", "population xs = sample policy(q, n: 2)\n    return best(xs, by: prm)", false },
        { "exact", "population xs = sample policy(q, n: 2)\n    return vote(xs)", false },
        { "exact", "population ps = spawn(2, prompt: q)\n    smc ps with steps <= 2 {\n        extend ps by policy(max_tokens: 4)\n        observe ps: p_ok(ps)\n    }\n    return sample(ps)", false },
        { "consistent", "population ps = spawn(2, prompt: q)\n    smc ps with steps <= 2 {\n        extend ps by policy(max_tokens: 4)\n        observe ps: p_ok(ps)\n    }\n    return sample(ps)", true },
    };

    /// <summary>A claim weaker than (or equal to) the inferred guarantee is accepted; a stronger one fails with TTS0132.</summary>
    [Theory]
    [MemberData(nameof(Claims))]
    public void Claims_are_checked_against_the_inferred_guarantee(string claim, string body, bool accepted)
    {
        var (_, diagnostics) = ProgramBinding.Bind($"strategy s(q: text) -> text claims {claim} {{\n    {body}\n}}\n");

        var broken = diagnostics.Where(d => d.Id == "TTS0132").ToList();
        Assert.Equal(accepted ? 0 : 1, broken.Count);
        Assert.DoesNotContain(diagnostics, d => d.IsError && d.Id != "TTS0132");
    }
}
