using Tts.Compiler.Driver;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;
using Tts.TestSupport.Strategies;

namespace Tts.Engines.Remote.Tests;

/// <summary>Strategies of each family over models named policy and draft, with token limits inside the test model's.</summary>
internal static class Strategies
{
    public const string Program = """
        model policy: lm
        model draft: lm
        reward prm: Score

        strategy plain(n: int = 6) -> population {
            population xs = sample policy("c", n: n, temperature: 0.8, top_p: 0.9, max_tokens: 6)
            return xs
        }

        strategy pf(n: int = 6) -> population {
            population ps = spawn(n, prompt: "a")
            smc ps with resample = systematic, ess < 0.7, steps <= 3 {
                extend ps by policy(stop: "\n", max_tokens: 2, forbid: ["c"])
                factor ps += log(prm(ps))
            }
            return ps
        }

        strategy spec(n: int = 4) -> population {
            population ps = speculative("b", target: policy, draft: draft, k: 2, n: n, max_tokens: 5)
            return ps
        }
        """;

    public static CompiledStrategy Compile(string name, string program = Program) => TestPrograms.Strategy(program, name);

    public static FunctionBindings Functions() =>
        new FunctionBindings().BindReward("prm", DelegateReward.PerText(RewardKind.Score, text => 1.0 + text.Count(c => c == 'b')));

    /// <summary>The strategy's untimed results on <paramref name="policy"/> (also the draft).</summary>
    public static List<RunResult> Run(string name, ILanguageModel policy, RunOptions options, CancellationToken cancellation = default)
    {
        var strategy = Compile(name);
        return strategy.Run(strategy.Arguments(), new ModelBindings().Bind("policy", policy).Bind("draft", policy), Functions(), options, cancellation)
            .Select(r => r.Untimed())
            .ToList();
    }
}
