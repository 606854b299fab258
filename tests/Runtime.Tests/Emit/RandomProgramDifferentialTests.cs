using FsCheck;
using FsCheck.Fluent;
using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Xunit.Abstractions;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// Random well-typed programs over random tabular models, for the same seed: the emitted C# ≡ the executor at each
/// level, bit for bit (outputs and spend); -O1 ≡ -O0 in outputs, tokens and reward calls, with no more model calls
/// (forks of sibling samples fuse into one decode at -O1, which takes fewer). Cases come in batches so one Roslyn
/// compilation serves a batch.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class RandomProgramDifferentialTests(ITestOutputHelper output)
{
    private const int BatchSize = 8;

    [Fact]
    public void Random_programs_agree_across_levels_and_back_ends()
    {
        var ran = 0;
        var total = 0;
        var fused = 0;
        var fewerCalls = 0;
        var middles = 0;
        var redraws = 0;
        Prop.ForAll(Gen.ArrayOf(RandomPrograms.Case, BatchSize).ToArbitrary(), batch =>
        {
            foreach (var (@case, run) in batch.Zip(RunBatch(batch)))
            {
                total++;
                middles += @case.Program.Contains("strategy middle", StringComparison.Ordinal) ? 1 : 0;
                redraws += @case.Program.Contains("reextend", StringComparison.Ordinal) ? 1 : 0;
                var (outcomes, fusedDecodes) = run;
                var reference = outcomes["executor O0"];
                ran += reference.IsError ? 0 : 1;
                fused += fusedDecodes ? 1 : 0;
                fewerCalls += fusedDecodes && !reference.IsError && outcomes["executor O1"].ModelCalls < reference.ModelCalls ? 1 : 0;
                var disagreement = BackEnds.Disagreement(reference, outcomes["emitted O0"], outcomes["executor O1"], outcomes["emitted O1"]);
                Assert.True(disagreement is null, $"{disagreement}\n{@case}\n" + string.Concat(outcomes.Select(o => $"{o.Key}:\n{o.Value}\n")));
            }
        }).Check(Config.QuickThrowOnFailure.WithReplay(20260517UL, 0x9E3779B97F4A7C15UL).WithMaxTest(5).WithQuietOnSuccess(true));

        // Errors must agree too, but most random programs are meant to run: the comparison is of real outputs.
        Assert.True(ran >= total * 3 / 4, $"only {ran} of {total} random programs ran without an error");

        // The generator writes forks of sibling samples: fusion must fire on some, and save model calls there.
        output.WriteLine($"{total} random programs: {ran} ran, {fused} had fused decodes at -O1, {fewerCalls} of those took fewer model calls");
        Assert.True(fused > 0 && fewerCalls > 0, $"of {total} random programs, {fused} had fused decodes at -O1 and {fewerCalls} of those took fewer model calls");

        // A repeat or refine inside a called strategy once drew other texts at -O1 than at -O0: some programs must hold one.
        output.WriteLine($"{middles} called a strategy whose body holds a repeat or refine");
        Assert.True(middles > 0, $"none of {total} random programs called a strategy whose body holds a repeat or refine");

        // Step speculation's redraw rolls particles back and re-prefills them: some programs must hold one.
        output.WriteLine($"{redraws} redrew a step with reextend");
        Assert.True(redraws > 0, $"none of {total} random programs redrew a step with reextend");
    }

    /// <summary>Per case: the outcome of each back end at each level ("executor O0", ...), and whether -O1 fused decodes.</summary>
    private static List<(Dictionary<string, Outcome> Outcomes, bool Fused)> RunBatch(RandomCase[] batch)
    {
        var levels = new[] { OptimizationLevel.O0, OptimizationLevel.O1 };
        var modules = batch.Select(c => levels.Select(level =>
        {
            var compilation = Compilation.Compile(SourceText.From(c.Program, "random.tts"), level);
            Assert.False(compilation.HasErrors, $"the generator wrote an ill-typed program:\n{string.Join("\n", compilation.Diagnostics)}\n{c.Program}");
            return compilation.Optimized!;
        }).ToArray()).ToArray();

        var sources = batch.SelectMany((_, i) => levels.Select((level, l) =>
            ($"case{i}.{level}.cs", CSharpEmitter.Emit(modules[i][l], new CSharpEmitOptions(Namespace: "Tts.Random", ClassName: $"Case{i}{level}"))))).ToList();
        var assembly = EmittedAssembly.Compile(sources);

        var results = new List<(Dictionary<string, Outcome>, bool)>();
        var functions = DifferentialSetup.Functions();
        for (var i = 0; i < batch.Length; i++)
        {
            using var model = TabularModel.Parse(batch[i].ModelJson, "random.json");
            var models = new ModelBindings().Bind("policy", model);
            var options = new RunOptions(batch[i].Seed, Runs: 4);
            var outcomes = new Dictionary<string, Outcome>();
            for (var l = 0; l < levels.Length; l++)
            {
                var module = modules[i][l];
                var arguments = DifferentialSetup.Arguments(module.Find("main")!);
                outcomes[$"executor {levels[l]}"] = BackEnds.Interpret(module, "main", arguments, models, functions, options);
                outcomes[$"emitted {levels[l]}"] = BackEnds.RunEmitted(assembly.GetType($"Tts.Random.Case{i}{levels[l]}", throwOnError: true)!, "main", arguments, models, functions, options);
            }

            var fused = IrTree.All(modules[i][1].Find("main")!.Instructions).OfType<IrFusedDecode>().Any();
            results.Add((outcomes, fused));
        }

        return results;
    }
}
