using FsCheck;
using FsCheck.Fluent;
using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// Random well-typed programs over random tabular models: executor -O0 ≡ executor -O1 ≡ emitted C# at both levels,
/// bit for bit (outputs and spend), for the same seed. Cases come in batches so one Roslyn compilation serves a batch.
/// </summary>
public sealed class RandomProgramDifferentialTests
{
    private const int BatchSize = 8;

    [Fact]
    public void Random_programs_agree_across_levels_and_back_ends()
    {
        var ran = 0;
        var total = 0;
        Prop.ForAll(Gen.ArrayOf(RandomPrograms.Case, BatchSize).ToArbitrary(), batch =>
        {
            foreach (var (@case, outcomes) in batch.Zip(RunBatch(batch)))
            {
                total++;
                var reference = outcomes[0].Outcome;
                ran += BackEnds.IsError(reference) ? 0 : 1;
                foreach (var (name, outcome) in outcomes)
                {
                    Assert.True(outcome == reference, $"{name} differs from executor O0\n{@case}\nexecutor O0:\n{reference}\n{name}:\n{outcome}");
                }
            }
        }).Check(Config.QuickThrowOnFailure.WithReplay(20260517UL, 0x9E3779B97F4A7C15UL).WithMaxTest(5).WithQuietOnSuccess(true));

        // Errors must agree too, but most random programs are meant to run: the comparison is of real outputs.
        Assert.True(ran >= total * 3 / 4, $"only {ran} of {total} random programs ran without an error");
    }

    /// <summary>Per case: (back end, rendered outcome) for the executor and the emitted C# at -O0 and -O1.</summary>
    private static List<List<(string Name, string Outcome)>> RunBatch(RandomCase[] batch)
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

        var results = new List<List<(string, string)>>();
        var functions = DifferentialSetup.Functions();
        for (var i = 0; i < batch.Length; i++)
        {
            using var model = TabularModel.Parse(batch[i].ModelJson, "random.json");
            var models = new ModelBindings().Bind("policy", model);
            var options = new RunOptions(batch[i].Seed, Runs: 4);
            var outcomes = new List<(string, string)>();
            for (var l = 0; l < levels.Length; l++)
            {
                var module = modules[i][l];
                var arguments = DifferentialSetup.Arguments(module.Find("main")!);
                outcomes.Add(($"executor {levels[l]}", BackEnds.Interpret(module, "main", arguments, models, functions, options)));
                outcomes.Add(($"emitted {levels[l]}", BackEnds.RunEmitted(assembly.GetType($"Tts.Random.Case{i}{levels[l]}", throwOnError: true)!, "main", arguments, models, functions, options)));
            }

            results.Add(outcomes);
        }

        return results;
    }
}
