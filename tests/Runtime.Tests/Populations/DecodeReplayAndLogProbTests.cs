using Tts.Runtime.Decoding;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using Tts.Runtime.Tests.Models;

namespace Tts.Runtime.Tests.Populations;

/// <summary>
/// Two decoder features of the new strategies: tracked log-probabilities (the PUCT prior) equal the model's exact
/// probability of each row's tokens, and a forced row (the particle Gibbs reference) takes exactly the tokens it is given
/// while the other rows sample as they would without it.
/// </summary>
public sealed class DecodeReplayAndLogProbTests
{
    private static readonly DecodeOptions Options = new(new SamplingOptions(Temperature: 1.0), MaxTokens: 16, Stop: []);

    private static TabularModel Abc() => TabularModel.Parse(TabularModels.DesignExample, "abc.json");

    private static long[] Keys(Population population) =>
        Enumerable.Range(0, population.Rows).Select(row => (long)CounterRandom.RowKey(3, population.RunOf(row), 0, population.ParticleOf(row))).ToArray();

    private sealed class NoMeter : IStepMeter
    {
        public void Step(int[] liveRowsPerRun)
        {
        }
    }

    [Fact]
    public void Tracked_log_probabilities_are_the_models_exact_ones()
    {
        using var model = Abc();
        using var population = Population.Start(model, ["c"], 12);
        var request = DecodeRequest.AllRows(Options, Keys(population)) with { TrackLogProbs = true };
        var outcome = PopulationDecoder.Decode(population, request, new NoMeter(), CancellationToken.None);

        // The abc model forces EOS after 4 tokens, so every row ended with EOS; each text has one tokenization, so the
        // probability of its tokens (EOS included) is the exact text law's.
        var law = model.ExactTextLaw("c");
        Assert.All(Enumerable.Range(0, population.Rows), row =>
        {
            Assert.True(population.Done[row]);
            Assert.Equal(Math.Log(law[population.Texts[row]]), outcome.LogProbs![row], 12);
        });
        Assert.True(population.Texts.Distinct().Count() > 3);
    }

    [Fact]
    public void A_forced_row_replays_its_tokens_and_leaves_the_others_alone()
    {
        using var model = Abc();
        using var free = Population.Start(model, ["c"], 4);
        using var forced = Population.Start(model, ["c"], 4);
        var keys = Keys(free);
        PopulationDecoder.Decode(free, DecodeRequest.AllRows(Options, keys), new NoMeter(), CancellationToken.None);

        var path = new long[] { model.Encode("b")[0], model.Encode("b")[0], model.Encode("a")[0], model.Vocabulary.EosId };
        var request = DecodeRequest.AllRows(Options, keys) with { Forced = [path, null, null, null] };
        PopulationDecoder.Decode(forced, request, new NoMeter(), CancellationToken.None);

        Assert.Equal("bba", forced.Texts[0]);
        Assert.True(forced.Done[0]);
        Assert.Equal(4, forced.Lengths[0]);
        Assert.Equal(free.Texts.Skip(1), forced.Texts.Skip(1));
    }
}
