using Tts.Compiler.Driver;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.TestSupport;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>The sampling example end to end on a tiny transformer, through the IR executor.</summary>
public sealed class TransformerExecutionTests
{
    [Fact]
    public void The_sampling_example_runs_and_each_run_is_the_same_alone_or_batched()
    {
        var path = RepoPaths.Combine("examples", "strategies", "sampling.tts");
        var compilation = Compilation.Compile(SourceText.From(File.ReadAllText(path), path), OptimizationLevel.O1);
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var strategy = CompiledStrategy.Of(compilation.Optimized!, compilation.Optimized!.Functions.Single().Name);
        var arguments = strategy.Arguments();
        arguments["prompt"] = "ab";

        using var model = TinyTransformers.Create(seed: 31);
        var bindings = new ModelBindings().Bind("policy", model);
        var batched = strategy.Run(arguments, bindings, options: new RunOptions(Seed: 9, Runs: 10)).Select(r => r.Untimed()).ToList();
        Assert.Equal(10, batched.Count);
        for (var run = 0; run < 10; run++)
        {
            var alone = strategy.Run(arguments, bindings, options: new RunOptions(Seed: 9, Runs: 1, FirstRun: run)).Single().Untimed();
            Assert.Equal(batched[run].Output, alone.Output);
            Assert.Equal(batched[run].Spent, alone.Spent);
        }

        var texts = batched.Select(r => (string)r.Output!).ToList();
        Assert.All(texts, text => Assert.All(text, c => Assert.Contains(c, "abcdefgh \nxyzé€ü")));
        Assert.True(texts.Distinct().Count() > 1, "ten random runs of a random model should not all agree");
    }
}
