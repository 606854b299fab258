using System.Reflection;
using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.IR;
using Tts.Compiler.Passes;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.TestSupport;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// Every strategy of the library (examples/strategies) through both back ends at both levels: the emitted C#
/// equals the executor bit for bit (outputs and spend), and -O1 equals -O0 in outputs, tokens and reward calls, taking no
/// more model calls (fused decodes take fewer), for the same seed.
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class ExampleDifferentialTests
{
    private static readonly OptimizationLevel[] Levels = { OptimizationLevel.O0, OptimizationLevel.O1 };

    /// <summary>All examples at both levels, emitted into one assembly (one Roslyn compilation for the whole class).</summary>
    private static readonly Lazy<(Dictionary<(string, OptimizationLevel), IrModule> Modules, Assembly Emitted)> Library = new(() =>
    {
        var modules = new Dictionary<(string, OptimizationLevel), IrModule>();
        var sources = new List<(string, string)>();
        foreach (var file in ExampleFiles())
        {
            foreach (var level in Levels)
            {
                var compilation = Compilation.Compile(SourceText.From(File.ReadAllText(RepoPaths.Combine("examples", "strategies", file)), file), level);
                Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
                modules[(file, level)] = compilation.Optimized!;
                var options = new CSharpEmitOptions(Namespace: $"Tts.Emitted.{level}", ClassName: CSharpEmitter.ClassNameFor(file), Source: file);
                sources.Add(($"{file}.{level}.cs", CSharpEmitter.Emit(compilation.Optimized!, options)));
            }
        }

        return (modules, EmittedAssembly.Compile(sources));
    });

    private static IEnumerable<string> ExampleFiles() =>
        Directory.GetFiles(RepoPaths.Combine("examples", "strategies"), "*.tts").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal)!;

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in ExampleFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void The_fused_sibling_decodes_of_composite_two_votes_take_fewer_model_calls()
    {
        var (modules, _) = Library.Value;
        var (models, owned) = DifferentialSetup.CharacterModels();
        try
        {
            var options = new RunOptions(Seed: 20260517, Runs: 2);
            var spent = Levels.Select(level =>
            {
                var module = modules[("composite.tts", level)];
                return BackEnds.Interpret(module, "two_votes", DifferentialSetup.Arguments(module.Find("two_votes")!), models, DifferentialSetup.Functions(), options);
            }).ToList();
            Assert.Single(modules[("composite.tts", OptimizationLevel.O1)].Find("two_votes")!.Instructions.OfType<IrFusedDecode>());
            Assert.True(spent[1].ModelCalls < spent[0].ModelCalls, $"-O0:\n{spent[0]}\n-O1:\n{spent[1]}");
        }
        finally
        {
            foreach (var model in owned)
            {
                model.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Emitted_csharp_and_both_levels_agree_with_the_executor(string file)
    {
        var (modules, emitted) = Library.Value;
        var (models, owned) = DifferentialSetup.CharacterModels();
        try
        {
            var functions = DifferentialSetup.Functions();
            var options = new RunOptions(Seed: 20260517, Runs: 2);
            foreach (var strategy in modules[(file, OptimizationLevel.O1)].Functions.Select(f => f.Name))
            {
                var outcomes = new Dictionary<string, Outcome>();
                foreach (var level in Levels)
                {
                    var module = modules[(file, level)];
                    var arguments = DifferentialSetup.Arguments(module.Find(strategy)!);
                    var generated = emitted.GetType($"Tts.Emitted.{level}.{CSharpEmitter.ClassNameFor(file)}", throwOnError: true)!;
                    outcomes[$"executor {level}"] = BackEnds.Interpret(module, strategy, arguments, models, functions, options);
                    outcomes[$"emitted {level}"] = BackEnds.RunEmitted(generated, strategy, arguments, models, functions, options);
                }

                var reference = outcomes["executor O0"];
                Assert.False(reference.IsError, $"{file} {strategy}: the example should run, but {reference}");
                var disagreement = BackEnds.Disagreement(reference, outcomes["emitted O0"], outcomes["executor O1"], outcomes["emitted O1"]);
                Assert.True(disagreement is null, $"{file} {strategy}: {disagreement}\n" + string.Concat(outcomes.Select(o => $"{o.Key}:\n{o.Value}\n")));
            }
        }
        finally
        {
            foreach (var model in owned)
            {
                model.Dispose();
            }
        }
    }
}
