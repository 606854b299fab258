using TorchSharp;
using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Runtime.Populations;
using Tts.Runtime.Sampling;
using Tts.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Populations;

/// <summary>Merge joins two populations run by run, carrying every per-row array and the model state exactly.</summary>
public sealed class PopulationMergeTests
{
    private static Population Decoded(Tts.Runtime.Models.Tabular.TabularModel model, int particles, int steps, ulong seed)
    {
        var population = Population.Start(model, ["", "b"], particles);
        var options = new DecodeOptions(new SamplingOptions(), MaxTokens: steps, Stop: []);
        PopulationDecoder.Decode(population, options, seed, firstRun: 0, stream: 0, new long[2], new long[2]);
        return population;
    }

    private static double[][] NextLogProbs(IDecodeState state)
    {
        using var logProbs = state.NextLogProbs();
        var vocabulary = (int)logProbs.shape[1];
        var values = logProbs.data<double>().ToArray();
        return Enumerable.Range(0, state.Rows).Select(r => values[(r * vocabulary)..((r + 1) * vocabulary)]).ToArray();
    }

    /// <summary>The most likely next token of each row: a valid continuation to feed a state and its merged copy alike.</summary>
    private static long[] Greedy(IDecodeState state) =>
        NextLogProbs(state).Select(row => (long)Array.IndexOf(row, row.Max())).ToArray();

    private static void Append(IDecodeState state, long[] tokens)
    {
        using var tensor = torch.tensor(tokens);
        state.Append(tensor);
    }

    [Fact]
    public void Merge_puts_each_runs_second_particles_after_its_first_and_carries_every_row_array()
    {
        using var model = TabularModels.Design();
        using var first = Decoded(model, particles: 3, steps: 2, seed: 5);
        using var second = Decoded(model, particles: 2, steps: 1, seed: 9);
        using (var delta = tensor(new[] { 0.0, -1.0, -2.0, 0.5, 0.0, -0.5 }, float64))
        {
            first.Reweight(delta);
        }

        using (var delta = tensor(new[] { -3.0, 0.0, 1.0, double.NegativeInfinity }, float64))
        {
            second.Reweight(delta);
        }

        using var merged = Population.Merge(first, second);

        Assert.Equal((2, 5, 10), (merged.Runs, merged.ParticlesPerRun, merged.Rows));
        long[] sources = [0, 1, 2, 6, 7, 3, 4, 5, 8, 9]; // in [first's 6 rows; second's 4 rows]
        Assert.Equal(sources, merged.Ancestors.data<long>().ToArray());
        Assert.Equal(Math.Max(first.Steps, second.Steps), merged.Steps);

        var width = (int)merged.Tokens.shape[1];
        var tokens = merged.Tokens.data<long>().ToArray();
        var firstTokens = first.Tokens.data<long>().ToArray();
        var secondTokens = second.Tokens.data<long>().ToArray();
        var firstLogProbs = NextLogProbs(first.State);
        var secondLogProbs = NextLogProbs(second.State);
        var mergedLogProbs = NextLogProbs(merged.State);
        var logWeights = merged.LogWeights.data<double>().ToArray();
        var firstWeights = first.LogWeights.data<double>().ToArray();
        var secondWeights = second.LogWeights.data<double>().ToArray();
        for (var row = 0; row < merged.Rows; row++)
        {
            var (source, sourceRow) = sources[row] < first.Rows ? (first, (int)sources[row]) : (second, (int)sources[row] - first.Rows);
            var sourceTokens = source == first ? firstTokens : secondTokens;
            var sourceWidth = (int)source.Tokens.shape[1];
            var expectedTokens = Enumerable.Range(0, width)
                .Select(t => t < sourceWidth ? sourceTokens[sourceRow * sourceWidth + t] : Population.PadToken);
            Assert.Equal(expectedTokens, tokens[(row * width)..((row + 1) * width)]);
            Assert.Equal(source.Texts[sourceRow], merged.Texts[row]);
            Assert.Equal(source.Lengths[sourceRow], merged.Lengths[row]);
            Assert.Equal(source.Done[sourceRow], merged.Done[row]);
            Assert.Equal((source == first ? firstWeights : secondWeights)[sourceRow], logWeights[row]);
            Assert.Equal((source == first ? firstLogProbs : secondLogProbs)[sourceRow], mergedLogProbs[row]);
        }

        var firstEvidence = first.Evidence.LogEvidence.data<double>().ToArray();
        var secondEvidence = second.Evidence.LogEvidence.data<double>().ToArray();
        var evidence = merged.Evidence.LogEvidence.data<double>().ToArray();
        for (var run = 0; run < 2; run++)
        {
            var expected = Math.Log((3 * Math.Exp(firstEvidence[run]) + 2 * Math.Exp(secondEvidence[run])) / 5);
            Assert.Equal(expected, evidence[run], 1e-12);
        }
    }

    [Fact]
    public void After_a_merge_decoding_continues_exactly_as_in_the_two_populations()
    {
        using var model = TabularModels.Design();
        using var first = Decoded(model, particles: 2, steps: 1, seed: 3);
        using var second = Decoded(model, particles: 1, steps: 2, seed: 4);
        using var merged = Population.Merge(first, second);
        long[] sources = [0, 1, 4, 2, 3, 5];
        for (var step = 0; step < 3; step++)
        {
            var firstNext = Greedy(first.State);
            var secondNext = Greedy(second.State);
            Append(first.State, firstNext);
            Append(second.State, secondNext);
            Append(merged.State, Array.ConvertAll(sources, s => s < first.Rows ? firstNext[s] : secondNext[s - first.Rows]));

            var firstLogProbs = NextLogProbs(first.State);
            var secondLogProbs = NextLogProbs(second.State);
            var mergedLogProbs = NextLogProbs(merged.State);
            for (var row = 0; row < merged.Rows; row++)
            {
                var s = (int)sources[row];
                Assert.Equal(s < first.Rows ? firstLogProbs[s] : secondLogProbs[s - first.Rows], mergedLogProbs[row]);
            }
        }
    }

    [Fact]
    public void Populations_of_different_runs_or_models_are_not_merged()
    {
        using var model = TabularModels.Design();
        using var other = TabularModels.Design();
        using var twoRuns = Decoded(model, particles: 2, steps: 1, seed: 1);
        using var oneRun = Population.Start(model, ["b"], 2);
        using var otherModel = Decoded(other, particles: 2, steps: 1, seed: 1);

        var runs = Assert.Throws<ArgumentException>(() => Population.Merge(twoRuns, oneRun));
        Assert.StartsWith("Populations of 2 and 1 runs cannot be merged: the runs must match.", runs.Message, StringComparison.Ordinal);
        var models = Assert.Throws<ArgumentException>(() => Population.Merge(twoRuns, otherModel));
        Assert.StartsWith("Only populations of the same model can be merged.", models.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merging_leaves_no_live_tensors_behind()
    {
        using var model = TabularModels.Design();
        using var first = Decoded(model, particles: 2, steps: 2, seed: 1);
        using var second = Decoded(model, particles: 3, steps: 1, seed: 2);
        Population.Merge(first, second).Dispose(); // warm up lazily created state
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Population.Merge(first, second).Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
