using System.Globalization;
using Tts.Compiler.Driver;
using Tts.Execution;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Serving;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;
using Tts.TestSupport;
using Tts.TestSupport.Statistics;
using Tts.TestSupport.Strategies;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// The law tests through HTTP: 20,000 seeded runs of sampling and of rejection sampling on the test model behind
/// tts serve, sampled by the client from full distributions and by the server (<c>sampling=server</c>), against the
/// exact oracle's output law (chi-square, each one assertion of the alpha registry, power checked).
/// </summary>
public sealed class LawThroughHttpTests
{
    private const string Program = """
        model policy: lm
        strategy draw() -> text {
            population xs = sample policy("c", n: 1, temperature: 0.8, max_tokens: 3)
            return sample(xs)
        }
        strategy reject() -> text {
            population xs = sample policy("c", n: 3, max_tokens: 3)
            return first(xs, where: contains(xs, "b"), otherwise: "none")
        }
        """;

    [Theory]
    [Trait("Category", TestCategories.Slow)]
    [InlineData("draw", "client")]
    [InlineData("reject", "client")]
    [InlineData("draw", "server")]
    [InlineData("reject", "server")]
    public async Task Outputs_through_http_follow_the_exact_law(string name, string sampling)
    {
        const int draws = 20_000;
        const double smallestBug = 0.03;
        const double beta = 1e-3;
        var compilation = TestPrograms.Compile(Program);
        using var model = TestModels.Tabular();
        var law = new ExactOracle(compilation.Bound, new Dictionary<string, TabularModel> { ["policy"] = model }).Evaluate(name).Output!;

        var tokenizer = TestModels.WriteFile();
        try
        {
            using var served = TestModels.Tabular();
            await using var server = await OpenAiServer.StartAsync(
                new Dictionary<string, ILanguageModel> { ["tiny"] = served }, new Dictionary<string, ServedReward>(), new ServerOptions());
            using var remote = RemoteLanguageModel.Open($"{server.Uri}v1?tokenizer={Uri.EscapeDataString(tokenizer)}&sampling={sampling}#tiny");
            Assert.Equal(sampling == "server", remote.SamplesOnServer);
            var strategy = CompiledStrategy.Of(compilation.Optimized!, name);
            var outputs = strategy.Run(strategy.Arguments(), new ModelBindings().Bind("policy", remote), options: new RunOptions(Seed: 29, Runs: draws))
                .Select(r => (string)r.Output!)
                .ToList();

            var outcomes = law.Outcomes.ToList();
            var texts = outcomes.Select(o => Convert.ToString(o.Value, CultureInfo.InvariantCulture)!).ToList();
            var observed = new long[texts.Count];
            foreach (var output in outputs)
            {
                var index = texts.IndexOf(output);
                Assert.True(index >= 0, $"output '{output}' has probability 0");
                observed[index]++;
            }

            var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
            var cells = ChiSquare.MergeSmallCells(observed, outcomes.Select(o => law[o]).ToList());
            var required = ChiSquare.RequiredSampleSize(cells.Probabilities, smallestBug, alpha, beta);
            Assert.True(required <= draws, $"{draws} draws cannot catch a {smallestBug} bug at alpha {alpha}; {required} needed");
            ChiSquare.GoodnessOfFit(cells.Observed, cells.Probabilities).AssertNotRejected(alpha);
        }
        finally
        {
            File.Delete(tokenizer);
        }
    }
}
