using System.Collections.Immutable;
using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Compiler.Tests;

public sealed class PassTests
{
    private const string Program = """
        model policy: lm
        strategy s(prompt: text = "", n: int = 4) -> text {
            population xs = sample policy(prompt + "!", n: n * 2, temperature: 0.5 + 0.25, stop: ["\n"])
            let unused = len(prompt) * 3
            let score = len(xs) - count(xs, "a") * (2 + 1)
            return best(xs, by: score)
        }
        """;

    private static readonly IrModule NoCallees = new(ImmutableArray<string>.Empty, ImmutableArray<IrFunction>.Empty);

    private static IrFunction Compile(OptimizationLevel level)
    {
        var compilation = Compilation.Compile(SourceText.From(Program, "s.tts"), level);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation.Optimized!.Functions.Single();
    }

    [Fact]
    public void O0_runs_no_pass()
    {
        Assert.Empty(PassPipeline.For(OptimizationLevel.O0).Passes);
        var compilation = Compilation.Compile(SourceText.From(Program, "s.tts"), OptimizationLevel.O0);
        Assert.Equal(IrPrinter.Print(compilation.Lowered!), IrPrinter.Print(compilation.Optimized!));
    }

    [Fact]
    public void Constant_folding_folds_single_values_only()
    {
        var function = new ConstantFolding().Run(Compile(OptimizationLevel.O0), NoCallees);
        var constants = function.Instructions.OfType<IrConstant>().Select(c => c.Value).ToList();
        Assert.Contains(3L, constants); // 2 + 1
        Assert.Contains(0.75, constants); // 0.5 + 0.25

        // Per-particle arithmetic and parameter-dependent values stay.
        Assert.Contains(function.Instructions, i => i is IrBinary { Result.Type.Shape: IrShape.PerParticle });
        Assert.Contains(function.Instructions, i => i is IrBinary b && b.Operator == Semantics.BinaryOperator.Multiply && b.Result!.Type.Shape == IrShape.Single);
    }

    [Fact]
    public void Dead_code_elimination_removes_unused_pure_values_but_keeps_effects()
    {
        var before = Compile(OptimizationLevel.O0);
        var after = new DeadCodeElimination().Run(before, NoCallees);
        IrVerifier.Verify(after, "test");

        // `unused` (len(prompt) * 3) disappears; the decode and prefill (effects) stay.
        Assert.True(after.Instructions.Length < before.Instructions.Length);
        Assert.DoesNotContain(after.Instructions, i => i is IrCall { Function.Name: "len", Result.Type.Shape: IrShape.Single });
        Assert.Single(after.Instructions.OfType<IrDecode>());
        Assert.Single(after.Instructions.OfType<IrPrefill>());
    }

    [Fact]
    public void Verifier_rejects_a_use_before_definition()
    {
        var function = Compile(OptimizationLevel.O1);
        var broken = function with { Instructions = function.Instructions.Reverse().ToImmutableArray() };
        var error = Assert.Throws<InvalidOperationException>(() => IrVerifier.Verify(broken, "a broken pass"));
        Assert.Contains("after a broken pass", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_rejects_a_reused_random_stream()
    {
        var function = Compile(OptimizationLevel.O1);
        var decode = function.Instructions.OfType<IrDecode>().Single();
        var population = decode.Result!;
        var sample = new IrSelectSample(new IrValue(function.NextValueId, IrType.Single(Semantics.TtsType.Text)), population, decode.Stream);
        var instructions = function.Instructions.Insert(function.Instructions.Length - 1, sample);
        var error = Assert.Throws<InvalidOperationException>(() => IrVerifier.Verify(function with { Instructions = instructions }, "test"));
        Assert.Contains("stream", error.Message, StringComparison.Ordinal);
    }
}
