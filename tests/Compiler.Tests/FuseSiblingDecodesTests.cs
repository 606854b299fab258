using System.Collections.Immutable;
using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.TestSupport;

namespace Tts.Compiler.Tests;

/// <summary>The IR rewrite of <see cref="FuseSiblingDecodes"/>: what it fuses, what it leaves, and the text before and after.</summary>
public sealed class FuseSiblingDecodesTests
{
    private static readonly IrModule NoCallees = new(ImmutableArray<string>.Empty, ImmutableArray<IrFunction>.Empty);

    /// <summary>The function after the -O1 passes that run before fusion.</summary>
    private static IrFunction BeforeFusion(string program)
    {
        var compilation = Compilation.Compile(SourceText.From(program, "fuse.tts"), OptimizationLevel.O0);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var lowered = compilation.Lowered!;
        var earlier = new PassPipeline(PassPipeline.For(OptimizationLevel.O1).Passes.TakeWhile(p => p is not FuseSiblingDecodes).ToList());
        return earlier.Run(lowered.Functions.Single(f => f.Name == "main"), lowered);
    }

    private static IrFunction Fuse(IrFunction function)
    {
        var fused = new FuseSiblingDecodes().Run(function, NoCallees);
        IrVerifier.Verify(fused, "fuse-sibling-decodes");
        return fused;
    }

    [Fact]
    public void The_branches_of_a_fork_become_one_fused_decode_and_projections()
    {
        const string program = """
            model policy: lm
            strategy main(q: text, q2: text) -> text {
                fork {
                    population a = sample policy(q, n: 4, max_tokens: 8)
                    population b = sample policy(q2, n: 8, max_tokens: 8)
                }
                return sample(a) + sample(b)
            }
            """;
        var before = BeforeFusion(program);
        Assert.Equal("""
            strategy main(q: text, q2: text) -> text  // heuristic
              %0 = param q : text
              %1 = param q2 : text
              %2 = const 4 : int
              %3 = const 1.0 : real
              %4 = const 0 : int
              %5 = const 1.0 : real
              %6 = const 0.0 : real
              %7 = const 8 : int
              %8 = const [] : list of text
              %9 = const [] : list of text
              %10 = spawn n=%2 : population
              %11 = prefill.shared %10 model=policy prompt=%0 : population  [modelcall]
              %12 = decode %11 model=policy temperature=%3 top_k=%4 top_p=%5 min_p=%6 max_tokens=%7 stop=%8 forbid=%9 stream=0 : population  [modelcall, random]
              %13 = const 8 : int
              %14 = const 1.0 : real
              %15 = const 0 : int
              %16 = const 1.0 : real
              %17 = const 0.0 : real
              %18 = const 8 : int
              %19 = const [] : list of text
              %20 = const [] : list of text
              %21 = spawn n=%13 : population
              %22 = prefill.shared %21 model=policy prompt=%1 : population  [modelcall]
              %23 = decode %22 model=policy temperature=%14 top_k=%15 top_p=%16 min_p=%17 max_tokens=%18 stop=%19 forbid=%20 stream=1 : population  [modelcall, random]
              %24 = select_sample %12 stream=2 : text  [random]
              %25 = select_sample %23 stream=3 : text  [random]
              %26 = %24 + %25 : text
              return %26

            """, IrPrinter.Print(before));

        // Both decodes (equal constants as options) become one at the place of the second; a's value is now a projection.
        Assert.Equal("""
            strategy main(q: text, q2: text) -> text  // heuristic
              %0 = param q : text
              %1 = param q2 : text
              %2 = const 4 : int
              %3 = const 1.0 : real
              %4 = const 0 : int
              %5 = const 1.0 : real
              %6 = const 0.0 : real
              %7 = const 8 : int
              %8 = const [] : list of text
              %9 = const [] : list of text
              %10 = spawn n=%2 : population
              %11 = prefill.shared %10 model=policy prompt=%0 : population  [modelcall]
              %13 = const 8 : int
              %14 = const 1.0 : real
              %15 = const 0 : int
              %16 = const 1.0 : real
              %17 = const 0.0 : real
              %18 = const 8 : int
              %19 = const [] : list of text
              %20 = const [] : list of text
              %21 = spawn n=%13 : population
              %22 = prefill.shared %21 model=policy prompt=%1 : population  [modelcall]
              %27 = decode.fused (%11, %22) model=policy temperature=%3 top_k=%4 top_p=%5 min_p=%6 max_tokens=%7 stop=%8 forbid=%9 streams=(0, 1) : tuple of population  [modelcall, random]
              %12 = project %27.0 : population
              %23 = project %27.1 : population
              %24 = select_sample %12 stream=2 : text  [random]
              %25 = select_sample %23 stream=3 : text  [random]
              %26 = %24 + %25 : text
              return %26

            """, IrPrinter.Print(Fuse(before)));
    }

    [Fact]
    public void Three_independent_samples_fuse_into_one()
    {
        const string program = """
            model policy: lm
            strategy main(q: text) -> text {
                population a = sample policy(q, n: 2, stop: ["\n"])
                population b = sample policy(q + "b", n: 3, stop: ["\n"])
                population c = sample policy(q + "c", stop: ["\n"])
                return sample(a) + sample(b) + sample(c)
            }
            """;
        var fused = Fuse(BeforeFusion(program));
        var decode = Assert.Single(fused.Instructions.OfType<IrFusedDecode>());
        Assert.Empty(fused.Instructions.OfType<IrDecode>());
        Assert.Equal(new[] { 0, 1, 2 }, decode.Streams);
        Assert.Equal(3, fused.Instructions.OfType<IrProject>().Count());
    }

    [Fact]
    public void A_decode_that_reads_a_sibling_result_is_not_fused()
    {
        // b's prompt is computed from a: b must wait for a.
        const string program = """
            model policy: lm
            strategy main(q: text) -> text {
                population a = sample policy(q, n: 2)
                population b = sample policy(q + sample(a), n: 2)
                return sample(b)
            }
            """;
        var before = BeforeFusion(program);
        Assert.Equal(IrPrinter.Print(before), IrPrinter.Print(Fuse(before)));
    }

    [Fact]
    public void A_read_between_siblings_closes_the_group_but_later_decodes_may_fuse()
    {
        // a is read before c: a and c cannot fuse; b (independent of a, before the read) fuses with a; c stays alone.
        const string program = """
            model policy: lm
            strategy main(q: text) -> text {
                population a = sample policy(q, n: 2)
                population b = sample policy(q, n: 3)
                let x = sample(a)
                population c = sample policy(q + x, n: 2)
                return x + sample(b) + sample(c)
            }
            """;
        var fused = Fuse(BeforeFusion(program));
        var decode = Assert.Single(fused.Instructions.OfType<IrFusedDecode>());
        Assert.Equal(new[] { 0, 1 }, decode.Streams);
        Assert.Single(fused.Instructions.OfType<IrDecode>());
    }

    [Fact]
    public void Different_options_and_races_are_not_fused()
    {
        const string program = """
            model policy: lm
            strategy main(q: text) -> text {
                fork {
                    population a = sample policy(q, n: 2, temperature: 0.5)
                    population b = sample policy(q, n: 2, temperature: 1.0)
                    population c = race policy(q, n: 4) first 1
                    population d = race policy(q, n: 4) first 1
                }
                return sample(a) + sample(b) + sample(c) + sample(d)
            }
            """;
        var before = BeforeFusion(program);
        Assert.Equal(IrPrinter.Print(before), IrPrinter.Print(Fuse(before)));
    }

    [Fact]
    public void Siblings_inside_a_repeat_member_fuse_there()
    {
        const string program = """
            model policy: lm
            strategy pair(q: text) -> text {
                fork {
                    population a = sample policy(q, n: 2)
                    population b = sample policy(q + "?", n: 2)
                }
                return sample(a) + sample(b)
            }
            strategy main(q: text) -> text {
                population runs = repeat(3, pair(q))
                return sample(runs)
            }
            """;
        var fused = Fuse(BeforeFusion(program));
        var repeat = Assert.Single(fused.Instructions.OfType<IrRepeat>());
        Assert.Single(repeat.Member.Body.OfType<IrFusedDecode>());
        Assert.Empty(repeat.Member.Body.OfType<IrDecode>());
    }

    [Fact]
    public void O1_pipeline_fuses_and_sweeps_the_options_the_fused_siblings_no_longer_read()
    {
        var compilation = Compilation.Compile(SourceText.From(File.ReadAllText(RepoPaths.Combine("examples", "strategies", "composite.tts")), "composite.tts"));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var votes = compilation.Optimized!.Find("two_votes")!;
        var fused = Assert.Single(votes.Instructions.OfType<IrFusedDecode>());
        var read = IrTree.All(votes.Instructions).SelectMany(IrTree.DeepOperands).Select(v => v.Id).ToHashSet();
        Assert.All(votes.Instructions.OfType<IrConstant>(), c => Assert.Contains(c.Result!.Id, read));
        Assert.Equal(2, fused.Populations.Length);
    }

    [Fact]
    public void Verifier_rejects_a_projection_out_of_the_tuple()
    {
        var fused = Fuse(BeforeFusion("""
            model policy: lm
            strategy main(q: text) -> text {
                population a = sample policy(q)
                population b = sample policy(q)
                return sample(a) + sample(b)
            }
            """));
        var broken = fused with
        {
            Instructions = fused.Instructions.Select(i => i is IrProject { Index: 1 } p ? p with { Index = 2 } : i).ToImmutableArray(),
        };
        var error = Assert.Throws<InvalidOperationException>(() => IrVerifier.Verify(broken, "test"));
        Assert.Contains("has no element 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Emitted_csharp_calls_the_fused_decode_and_indexes_its_tuple()
    {
        const string file = "fork_sampling.tts";
        var source = SourceText.From("""
            model policy: lm
            strategy main(q: text, q2: text) -> text {
                fork {
                    population a = sample policy(q, n: 4)
                    population b = sample policy(q2, n: 8)
                }
                return sample(a) + sample(b)
            }
            """, file);
        var compilation = Compilation.Compile(source, OptimizationLevel.O1);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Golden.AssertMatches(RepoPaths.Combine("tests", "Compiler.Tests", "Golden", "fork_sampling.O1.cs.txt"), StageDumper.Dump(compilation, CompilerStage.CSharp));
    }
}
