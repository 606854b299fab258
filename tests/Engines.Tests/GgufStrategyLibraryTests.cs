using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;
using Tts.Semantics;
using Tts.TestSupport;

namespace Tts.Engines.Tests;

/// <summary>
/// Every strategy of examples/strategies run on both engines with the shipped policy, the same seed and the same
/// deterministic rewards: the outputs are the same run for run. The engines' log-probabilities differ by about 3e-6,
/// so a sampler decision could flip only where two Gumbel-perturbed scores fall that close; none does here.
/// </summary>
public sealed class GgufStrategyLibraryTests(ExportedModels models) : IClassFixture<ExportedModels>
{
    private static readonly string[] SmallCounts = ["n", "k", "m", "width", "expand", "tries", "groups", "runs", "max_words"];

    [Fact]
    public void Every_library_strategy_gives_the_same_outputs_on_both_engines()
    {
        var compared = 0;
        foreach (var path in Directory.GetFiles(RepoPaths.Combine("examples", "strategies"), "*.tts").Order())
        {
            var program = StrategyProgram.Compile(File.ReadAllText(path), path);
            Assert.False(program.HasErrors, path);
            foreach (var name in program.StrategyNames)
            {
                var strategy = program.Select(name);
                List<string> torchResults;
                try
                {
                    torchResults = Run(strategy, models.Policy.Torch);
                }
                catch (ModelException)
                {
                    // A strategy that writes text outside the policy's character vocabulary (refine's "Candidates:")
                    // cannot run on it; the gguf engine must refuse it the same way.
                    Assert.Throws<ModelException>(() => Run(strategy, models.Policy.Gguf));
                    continue;
                }

                var ggufResults = Run(strategy, models.Policy.Gguf);
                Assert.True(torchResults.SequenceEqual(ggufResults), $"{Path.GetFileName(path)} {name}: torch [{string.Join(" | ", torchResults)}] gguf [{string.Join(" | ", ggufResults)}]");
                compared++;
            }
        }

        Assert.True(compared >= 18, $"only {compared} strategies compared");
    }

    private static List<string> Run(CompiledStrategy strategy, ILanguageModel model)
    {
        var modelBindings = new ModelBindings();
        var functions = new FunctionBindings();
        foreach (var requirement in strategy.Requirements)
        {
            switch (requirement.Kind)
            {
                case BindingKind.Model:
                    modelBindings.Bind(requirement.Name, model);
                    break;
                case BindingKind.Reward:
                    // A score in (0, 1] that prefers texts with digits and a newline: deterministic, varied.
                    functions.BindReward(requirement.Name, DelegateReward.PerText(RewardKind.Score, t => (1.0 + t.Count(char.IsDigit) + (t.Contains('\n') ? 2 : 0)) / (4.0 + t.Length)));
                    break;
                case BindingKind.Verifier:
                    functions.BindVerifier(requirement.Name, DelegateVerifier.PerText(t => t.Contains('1')));
                    break;
                default:
                    functions.BindExtractor(requirement.Name, DelegateExtractor.PerText(t => t.Trim().Split('\n')[^1]));
                    break;
            }
        }

        var given = new Dictionary<string, object>();
        foreach (var parameter in strategy.Parameters)
        {
            if (SmallCounts.Contains(parameter.Name))
            {
                given[parameter.Name] = 3L;
            }
            else if (parameter.Default is null && parameter.Type == TtsType.Text)
            {
                given[parameter.Name] = "Q: 12+7=?\nA:";
            }
        }

        return strategy.Run(strategy.Arguments(given), modelBindings, functions, new RunOptions(Seed: 7, Runs: 2))
            .Select(result => result.Output?.ToString() ?? "(none)")
            .ToList();
    }
}
