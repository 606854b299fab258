using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Sampling;
using Tts.Testing.Statistics;
using Tts.TestSupport;
using Tts.TestSupport.Statistics;

namespace Tts.Serving.Tests;

/// <summary>
/// Completions sampled through HTTP follow the exact law of the text, enumerated from the tabular model's
/// probabilities through the sampler's reference transform (counted in <see cref="StatisticalAssertions.Count"/>).
/// </summary>
[Trait("Category", TestCategories.Slow)]
public sealed class CompletionLawTests
{
    /// <summary>Fixed in CI, so the test is deterministic; the alpha budget covers fresh-seed runs.</summary>
    private const ulong Seed = 20_261_202UL;

    private const int Prompts = 120;
    private const int ChoicesPerPrompt = 256;
    private const int MaxTokens = 3;

    /// <summary>The smallest bug that must be caught: 2% of mass moved between texts (total variation 0.02).</summary>
    private const double SmallestBug = 0.02;

    private const double Beta = 1e-3;

    [Fact]
    public async Task Sampled_completions_follow_the_exact_law_of_the_tempered_truncated_model()
    {
        var sampling = new SamplingOptions(Temperature: 0.8, TopP: 0.9);
        var alpha = AlphaBudget.PerAssertion(StatisticalAssertions.Count);
        var draws = Prompts * ChoicesPerPrompt;
        using var oracleModel = TabularModel.Load(TestServer.AbcPath);
        var law = new Dictionary<string, double>();
        Enumerate(oracleModel, [], 1.0, sampling, law);
        var texts = law.Keys.Order(StringComparer.Ordinal).ToList();

        var limits = new ServerOptions { MaxBatch = draws, MaxQueuedSequences = draws, MaxN = ChoicesPerPrompt, MaxPrompts = Prompts };
        await using var server = await TestServer.StartAbcAsync(limits);
        var body = await server.CompleteAsync(new
        {
            model = "abc", prompt = Enumerable.Repeat("", Prompts).ToArray(), n = ChoicesPerPrompt, max_tokens = MaxTokens,
            seed = Seed, temperature = sampling.Temperature, top_p = sampling.TopP,
        });
        var observed = new long[texts.Count];
        foreach (var choice in body["choices"]!.AsArray())
        {
            var text = (string)choice!["text"]!;
            var cell = texts.IndexOf(text);
            Assert.True(cell >= 0, $"'{text}' is not a possible completion");
            observed[cell]++;
        }

        Assert.Equal(draws, observed.Sum());
        var cells = ChiSquare.MergeSmallCells(observed, texts.Select(t => law[t]).ToList());
        var required = ChiSquare.RequiredSampleSize(cells.Probabilities, SmallestBug, alpha, Beta);
        Assert.True(required <= draws, $"{draws} draws cannot catch a {SmallestBug} bug at alpha {alpha}; {required} needed.");
        ChiSquare.GoodnessOfFit(cells.Observed, cells.Probabilities).AssertNotRejected(alpha);
    }

    /// <summary>Adds to <paramref name="law"/> every completion of <paramref name="prefix"/> with its exact probability.</summary>
    private static void Enumerate(ILanguageModel model, List<int> prefix, double probability, SamplingOptions sampling, Dictionary<string, double> law)
    {
        double[] row;
        using (var state = model.Start([prefix.ToArray()], [0]))
        using (var logProbs = state.NextLogProbs())
        {
            row = logProbs.data<double>().ToArray();
        }

        var transformed = TokenSampler.TransformedLogProbsReference(row, sampling);
        for (var token = 0; token < transformed.Length; token++)
        {
            var p = probability * Math.Exp(transformed[token]);
            if (p == 0.0)
            {
                continue;
            }

            List<int> next = [.. prefix, token];
            if (token == model.Vocabulary.EosId || next.Count == MaxTokens)
            {
                var text = model.Vocabulary.Decode(next);
                law[text] = law.GetValueOrDefault(text) + p;
            }
            else
            {
                Enumerate(model, next, p, sampling, law);
            }
        }
    }
}
