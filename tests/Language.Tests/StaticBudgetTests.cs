namespace Tts.Language.Tests;

/// <summary>The static budget table: each program's strategy <c>s</c> and its printed bound.</summary>
public sealed class StaticBudgetTests
{
    public static TheoryData<string, string, string> Rows() => new()
    {
        { "sample: n times max_tokens tokens, max_tokens + 1 calls (prefill)", """
            strategy s(q: text, n: int = 4) -> text {
                population xs = sample policy(q, n: n, max_tokens: 100)
                return sample(xs)
            }
            """, "tokens <= 100 * n, calls <= 101, rewards <= 0" },
        { "default decoding options: one particle, 256 tokens", """
            strategy s(q: text) -> text {
                population xs = sample policy(q)
                return sample(xs)
            }
            """, "tokens <= 256, calls <= 257, rewards <= 0" },
        { "reward counting: one reward call per particle scored", """
            strategy s(q: text, n: int = 4) -> text {
                population xs = sample policy(q, n: n, max_tokens: 10)
                return vote(xs, key: answer(xs), weight: prm)
            }
            """, "tokens <= 10 * n, calls <= 11, rewards <= n" },
        { "smc: a step's cost multiplies by steps", """
            strategy s(q: text, n: int = 8, steps: int = 16) -> text {
                population ps = spawn(n, prompt: q)
                smc ps with resample = systematic, ess < 0.5, steps <= steps {
                    extend ps by policy(max_tokens: 32)
                    factor ps += log(prm(ps)) / 2.0
                }
                return sample(ps)
            }
            """, "tokens <= 32 * n * steps, calls <= 32 * steps + 1, rewards <= n * steps" },
        { "step speculation: both models' tokens, every step drafted and (worst case) redrawn; two prefills per redraw; two step scorings", """
            strategy s(q: text, n: int = 8) -> text {
                population ps = spawn(n, prompt: q)
                smc ps with steps <= 10 {
                    extend ps by draft(max_tokens: 8)
                    reextend ps where uniform(ps) >= exp(real(step_logp(policy, ps) - step_logp(draft, ps)) - 1.0) by policy(max_tokens: 16)
                }
                return sample(ps)
            }
            """, "tokens <= 240 * n, calls <= 261, rewards <= 20 * n" },
        { "particle Gibbs: the smc block's cost once per sweep", """
            strategy s(q: text, n: int = 8, k: int = 4) -> text {
                population ps = spawn(n, prompt: q)
                smc ps with resample = multinomial, steps <= 16, iterations = k {
                    extend ps by policy(max_tokens: 32)
                    factor ps += log(prm(ps)) / 2.0
                }
                return sample(ps)
            }
            """, "tokens <= 512 * k * n, calls <= 512 * k + 1, rewards <= 16 * k * n" },
        { "search: width times expand particles per step, width kept", """
            strategy s(q: text) -> text {
                population ps = spawn(1, prompt: q)
                search ps with method = beam, width = 2, expand = 3, steps <= 5 {
                    extend ps by policy(max_tokens: 10)
                    score ps = prm(ps)
                }
                return best(ps, by: prm)
            }
            """, "tokens <= 300, calls <= 51, rewards <= 32" },
        { "a strategy call costs the callee's bound with its arguments substituted", """
            strategy callee(q: text, n: int = 4, m: int = 2) -> text {
                population xs = sample policy(q, n: n * m, max_tokens: 10)
                return sample(xs)
            }
            strategy s(q: text, k: int = 3) -> text {
                return callee(q, n: k + 1)
            }
            """, "tokens <= 20 * k + 20, calls <= 11, rewards <= 0" },
        { "repeat multiplies the call's bound by the count", """
            strategy one(q: text) -> text {
                population xs = sample policy(q, max_tokens: 50)
                return first(xs, where: valid(xs))
            }
            strategy s(q: text, runs: int = 4) -> text {
                population answers = repeat(runs, one(q))
                return sample(answers)
            }
            """, "tokens <= 50 * runs, calls <= 51 * runs, rewards <= runs" },
        { "refine: the initial value once, the step and `until` per round", """
            strategy one(q: text) -> text {
                population xs = sample policy(q, max_tokens: 10)
                return sample(xs)
            }
            strategy s(q: text) -> text {
                refine a = one(q) by one(q + a) with rounds <= 3, until = valid(a)
                return a
            }
            """, "tokens <= 40, calls <= 44, rewards <= 3" },
        { "speculative: worst case one token per round of k draft tokens and one check", """
            strategy s(q: text) -> text {
                population ps = speculative(q, target: policy, draft: draft, n: 2, max_tokens: 100)
                return sample(ps)
            }
            """, "tokens <= 1000, calls <= 505, rewards <= 0" },
        { "race charges every launched particle", """
            strategy s(q: text, k: int = 8) -> text {
                population fs = race policy(q, n: k, max_tokens: 64) first 2
                return best(fs, by: prm)
            }
            """, "tokens <= 64 * k, calls <= 65, rewards <= 2" },
        { "nested calls and loops compose", """
            strategy pf(q: text, n: int = 4) -> text {
                population ps = spawn(n, prompt: q)
                smc ps with steps <= 10 {
                    extend ps by policy(max_tokens: 8)
                    condition ps: valid(ps)
                }
                return sample(ps)
            }
            strategy s(q: text, runs: int = 2) -> text {
                population answers = repeat(runs, pf(q, n: 16))
                return vote(answers, key: answer(answers))
            }
            """, "tokens <= 1280 * runs, calls <= 81 * runs, rewards <= 160 * runs" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Strategy_has_the_printed_static_bound(string description, string program, string expected)
    {
        var strategy = ProgramBinding.BindClean(program, "s");

        Assert.True(expected == strategy.Budget.ToString(), $"{description}:\n  expected {expected}\n  actual   {strategy.Budget}");
    }
}
