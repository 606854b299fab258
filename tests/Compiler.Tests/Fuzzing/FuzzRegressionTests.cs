using System.Diagnostics;
using System.Text;
using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Lowering;
using Tts.Compiler.Passes;
using Tts.Language.Text;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>The minimal inputs behind what the fuzz suite found, each checked on its own.</summary>
public sealed class FuzzRegressionTests
{
    /// <summary>s0 calls s1 twice, s1 calls s2 twice, ... : 2^depth paths through the calls.</summary>
    private static string FanOutChain(int depth)
    {
        var program = new StringBuilder("model policy: lm\n");
        for (var i = 0; i < depth; i++)
        {
            program.Append($"strategy s{i}(q: text) -> text {{\n    let a = s{i + 1}(q)\n    let b = s{i + 1}(q + \"b\")\n    return a + b\n}}\n");
        }

        program.Append($"strategy s{depth}(q: text) -> text {{\n    population xs = sample policy(q, max_tokens: 4)\n    return sample(xs)\n}}\n");
        return program.ToString();
    }

    [Fact]
    public void A_call_chain_fanning_out_forty_deep_compiles_keeping_the_calls_inlining_cannot_afford()
    {
        // Before: Lowerer.Unsupported walked every path (2^40) and inlining copied every callee (2^40 instructions).
        var compilation = Compilation.Compile(SourceText.From(FanOutChain(40), "fan.tts"), OptimizationLevel.O1);

        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Assert.All(compilation.Bound.Strategies, s => Assert.Null(Lowerer.Unsupported(s, compilation.Bound)));
        var s0 = compilation.Optimized!.Functions.Single(f => f.Name == "s0");
        var instructions = IrTree.All(s0.Instructions).ToList();
        Assert.InRange(instructions.Count, 1, Inlining.MaxInlinedInstructions + 100);
        Assert.Contains(instructions, i => i is IrCallStrategy);
    }

    [Fact]
    public void A_short_fan_out_is_still_inlined_whole()
    {
        var compilation = Compilation.Compile(SourceText.From(FanOutChain(6), "fan.tts"), OptimizationLevel.O1);

        var s0 = compilation.Optimized!.Functions.Single(f => f.Name == "s0");
        Assert.DoesNotContain(IrTree.All(s0.Instructions), i => i is IrCallStrategy);
        Assert.Equal(64, IrTree.All(s0.Instructions).Count(i => i is IrDecode));
    }

    [Fact]
    public void A_sum_of_five_hundred_names_checks_in_linear_time()
    {
        // Before: BoundTreeWalker.Expressions nested one iterator per level and Lowerer.Unsupported applied it to every
        // sub-expression, so a 400-term sum took 3.4 s (cubic); now it is ~40 ms. The bound is far above both.
        var sum = string.Join(" + ", Enumerable.Repeat("q", 500));
        var text = $"model policy: lm\nstrategy s(q: text) -> text {{\n    population xs = sample policy({sum}, n: 2)\n    return sample(xs)\n}}\n";
        var stopwatch = Stopwatch.StartNew();
        var compilation = Compilation.Compile(SourceText.From(text, "sum.tts"), OptimizationLevel.O1);
        Assert.Null(Lowerer.Unsupported(compilation.Bound.Strategies.Single(), compilation.Bound));

        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
    }
    [Fact]
    public void A_search_width_of_the_smallest_long_is_an_error_not_an_overflow_in_the_budget()
    {
        // Found by the 1,000,000-input run (seed 305003): the static budget multiplied by -2^63 and took Math.Abs of it.
        const string program = """
            model policy: lm
            reward prm: Prob
            strategy s(q: text) -> text
            {
                population xs = spawn(2, prompt: q)
                search xs with method = beam, width = 4, expand = -9223372036854775807 - 1, steps <= 1 {
                    extend xs by policy()
                    score xs = prm
                }
                return best(xs, by: prm)
            }
            """;
        var compilation = Compilation.Compile(SourceText.From(program, "min.tts"), OptimizationLevel.O1);

        Assert.Contains(compilation.Diagnostics, d => d.Id == "TTS0119"); // the search's expand must be at least 1
        Assert.All(compilation.Diagnostics, d => Assert.StartsWith("TTS", d.Id, StringComparison.Ordinal));
    }
}
