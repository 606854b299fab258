using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Lowering;
using Tts.Language.Text;

namespace Tts.Compiler.Tests;

/// <summary>Issue 17: calls nested three deep inline at -O1, and a call to a strategy that cannot run is reported, not a crash.</summary>
public sealed class InliningTests
{
    [Fact]
    public void A_strategy_calling_a_strategy_calling_a_third_inlines_into_a_verified_body()
    {
        var compilation = Compilation.Compile(SourceText.From("""
            model policy: lm
            strategy c(p: text) -> text {
                population xs = sample policy(p, n: 2, max_tokens: 4)
                return sample(xs)
            }
            strategy b(p: text) -> text {
                return c(p + "a")
            }
            strategy a(p: text = "") -> text {
                return b(p)
            }
            """, "calls.tts"));

        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var a = compilation.Optimized!.Find("a")!;
        Assert.DoesNotContain(IrTree.All(a.Instructions), i => i is IrCallStrategy);
        IrVerifier.Verify(a, "test");
    }

    [Fact]
    public void A_caller_of_a_strategy_that_cannot_run_cannot_run_either_and_says_why()
    {
        var compilation = Compilation.Compile(SourceText.From("""
            model policy: lm
            strategy i(p: text) -> text {
                population ps = spawn(2, prompt: p)
                return sample(ps)
            }
            strategy o(p: text = "") -> text {
                return i(p)
            }
            """, "spawned.tts"));

        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Assert.Null(compilation.Optimized!.Find("o"));
        var reason = Lowerer.Unsupported(compilation.Bound.FindStrategy("o")!, compilation.Bound);
        Assert.StartsWith("it calls 'i', which cannot run: `ps` is spawned", reason, StringComparison.Ordinal);
    }
}
