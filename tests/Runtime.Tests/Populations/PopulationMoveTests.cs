using TorchSharp;
using Tts.Runtime.Decoding;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Resampling;
using Tts.Runtime.Sampling;
using Tts.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Populations;

/// <summary>Reweight, resample, top-k, prune and fork keep every per-row array, the model state and the evidence consistent.</summary>
public sealed class PopulationMoveTests
{
    private const ulong Seed = 31;
    private const int Particles = 3;
    private const double NegativeInfinity = double.NegativeInfinity;

    [Fact]
    public void Resample_GathersEveryRowArrayAndTheModelState_ResetsWeights_AndKeepsTheEvidence()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 2);
        var before = Snapshot(population);
        double[] delta = [0.0, -1.0, NegativeInfinity, 0.5, 0.5, -3.0];
        using (var deltaTensor = tensor(delta, float64))
        {
            population.Reweight(deltaTensor);
        }

        var evidenceAfterReweight = population.Evidence.LogEvidence.data<double>().ToArray();
        for (var run = 0; run < 2; run++)
        {
            var lse = WeightMath.LogSumExpReference(delta[(run * Particles)..((run + 1) * Particles)]);
            Assert.Equal(lse - Math.Log(Particles), evidenceAfterReweight[run], 1e-12);
        }

        using var keys = Resampler.RunKeys(Seed, 0, 2, stream: 9);
        var alive = population.Resample(Resampler.Systematic, keys, step: 4);

        Assert.Equal([true, true], alive);
        var expectedRows = new long[2 * Particles];
        for (var run = 0; run < 2; run++)
        {
            var key = CounterRandom.RowKey(Seed, run, 9, Resampler.ResamplingParticle);
            var (ancestors, _) = Resampler.Systematic.ResampleReference(delta[(run * Particles)..((run + 1) * Particles)], key, 4);
            for (var j = 0; j < Particles; j++)
            {
                expectedRows[run * Particles + j] = run * Particles + ancestors[j];
            }
        }

        Assert.DoesNotContain(2L, expectedRows); // the dead row is gone
        var after = Snapshot(population);
        Assert.Equal(expectedRows, after.Ancestors);
        AssertGathered(before, after, expectedRows);
        Assert.All(after.LogWeights, w => Assert.Equal(0.0, w));
        Assert.Equal(evidenceAfterReweight, population.Evidence.LogEvidence.data<double>().ToArray());

        // The next step's evidence increment is taken over the uniform weights the resampling left.
        double[] next = [0.1, 0.2, 0.3, -0.5, -0.5, -0.5];
        using (var nextTensor = tensor(next, float64))
        {
            population.Reweight(nextTensor);
        }

        var evidence = population.Evidence.LogEvidence.data<double>().ToArray();
        Assert.Equal(evidenceAfterReweight[0] + WeightMath.LogSumExpReference(next[..3]) - Math.Log(3), evidence[0], 1e-12);
        Assert.Equal(evidenceAfterReweight[1] - 0.5, evidence[1]);
    }

    [Fact]
    public void ResampleWhereEssBelow_MovesOnlyTheTriggeredRuns()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 2);
        var before = Snapshot(population);
        double[] delta = [0.2, 0.2, 0.2, 0.0, -4.0, -4.0]; // ESS 3 (uniform) and ≈ 1.07
        using (var deltaTensor = tensor(delta, float64))
        {
            population.Reweight(deltaTensor);
        }

        using var keys = Resampler.RunKeys(Seed, 0, 2, stream: 1);
        var resampled = population.ResampleWhereEssBelow(Resampler.Residual, keys, step: 0, essThreshold: 0.5);

        Assert.Equal([false, true], resampled);
        var after = Snapshot(population);
        Assert.Equal([0L, 1L, 2L], after.Ancestors[..3]);
        Assert.Equal([0.2, 0.2, 0.2], after.LogWeights[..3]);
        Assert.Equal([0.0, 0.0, 0.0], after.LogWeights[3..]);
        var (ancestors, _) = Resampler.Residual.ResampleReference(delta[3..], CounterRandom.RowKey(Seed, 1, 1, Resampler.ResamplingParticle), 0);
        Assert.Equal(ancestors.Select(a => a + 3), after.Ancestors[3..]);
        AssertGathered(before, after, after.Ancestors);
    }

    [Fact]
    public void AllDeadRun_IsReported_KeepsItsRowsAndMinusInfinityWeights_WithoutNaN()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 1);
        using (var kill = tensor(new[] { 0.0, 0.0, 0.0, NegativeInfinity, NegativeInfinity, NegativeInfinity }, float64))
        {
            population.Reweight(kill);
        }

        using var keys = Resampler.RunKeys(Seed, 0, 2, stream: 2);
        var alive = population.Resample(Resampler.Stratified, keys, step: 0);

        Assert.Equal([true, false], alive);
        var after = Snapshot(population);
        Assert.Equal([3L, 4L, 5L], after.Ancestors[3..]);
        Assert.All(after.LogWeights[3..], w => Assert.Equal(NegativeInfinity, w));
        Assert.Equal([0.0, NegativeInfinity], population.Evidence.LogEvidence.data<double>().ToArray());
    }

    [Fact]
    public void SelectTopK_KeepsTheBestOfEachRun_BestFirst_TiesToTheLowerRow()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 2);
        var before = Snapshot(population);
        using var scores = tensor(new[] { 1.0, 3.0, 3.0, NegativeInfinity, 2.0, 0.5 }, float64);

        population.SelectTopK(2, scores);

        Assert.Equal(2, population.ParticlesPerRun);
        Assert.Equal(4, population.Rows);
        var after = Snapshot(population);
        Assert.Equal([1L, 2L, 4L, 5L], after.Ancestors);
        AssertGathered(before, after, after.Ancestors);
        Assert.Throws<ArgumentOutOfRangeException>(() => population.SelectTopK(3, scores));
    }

    [Fact]
    public void Prune_KeepsTheMaskedRowsInOrder_AndInsistsOnEqualRuns()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 2);
        var before = Snapshot(population);
        using (var unequal = tensor(new[] { true, true, false, true, false, false }))
        {
            var error = Assert.Throws<ArgumentException>(() => population.Prune(unequal));
            Assert.StartsWith("Prune must keep the same number (≥ 1) of particles in every run; it keeps 2, 1.", error.Message, StringComparison.Ordinal);
        }

        using var keep = tensor(new[] { true, false, true, false, true, true });
        population.Prune(keep);

        var after = Snapshot(population);
        Assert.Equal([0L, 2L, 4L, 5L], after.Ancestors);
        AssertGathered(before, after, after.Ancestors);
    }

    [Fact]
    public void Fork_CopiesEachRowConsecutively_KeepsTheEvidence_AndDecodingGoesOn()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 1);
        using (var delta = tensor(new[] { 0.0, -1.0, -2.0, 1.0, 1.0, 0.0 }, float64))
        {
            population.Reweight(delta);
        }

        var evidence = population.Evidence.LogEvidence.data<double>().ToArray();
        var before = Snapshot(population);

        population.Fork(2);

        Assert.Equal(6, population.ParticlesPerRun);
        var after = Snapshot(population);
        Assert.Equal([0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L], after.Ancestors);
        AssertGathered(before, after, after.Ancestors);

        // Copies carry equal weights, so the normalized weights and any later increment are unchanged.
        using (var zero = zeros(12, float64))
        {
            population.Reweight(zero);
        }

        Assert.Equal(evidence, population.Evidence.LogEvidence.data<double>().ToArray());

        var options = new DecodeOptions(new SamplingOptions(), MaxTokens: 3, Stop: []);
        PopulationDecoder.Decode(population, options, Seed, 0, stream: 1, new long[2], new long[2]);
        Assert.All(population.Lengths, length => Assert.InRange(length, 1, 4));
        Assert.Equal(12, population.Texts.Length);
    }

    [Fact]
    public void Reweight_RejectsNaN_WithAClearMessage()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 1);
        using var delta = tensor(new[] { 0.0, 0.0, 0.0, 0.0, double.NaN, 0.0 }, float64);
        var error = Assert.Throws<ArgumentException>(() => population.Reweight(delta));
        Assert.StartsWith("Log-weights must not be NaN or +∞, but the log-weight at [4] is NaN.", error.Message, StringComparison.Ordinal);
        Assert.All(Snapshot(population).LogWeights, w => Assert.Equal(0.0, w)); // nothing changed
    }

    [Fact]
    public void Moves_LeaveNoLiveTensorsBehind()
    {
        using var model = TabularModels.Design();
        using var population = Decoded(model, steps: 2);
        using var keys = Resampler.RunKeys(Seed, 0, 2, stream: 3);
        using var delta = tensor(new[] { 0.0, -1.0, -2.0, 0.0, 0.0, -1.0 }, float64);
        using var scores = tensor(Enumerable.Range(0, 24).Select(i => (double)(i % 5)).ToArray(), float64);
        using var keep = tensor(new[] { true, false, true, false });
        void Moves()
        {
            population.Reweight(delta);
            population.Resample(Resampler.Multinomial, keys, step: 0);
            population.ResampleWhereEssBelow(Resampler.Systematic, keys, step: 1, essThreshold: 0.9);
            population.Fork(4);
            population.SelectTopK(2, scores);
            population.Prune(keep);
            population.Fork(3); // back to 3 particles per run
        }

        Moves(); // warm up lazily created state
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Moves();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static Population Decoded(Tts.Runtime.Models.Tabular.TabularModel model, int steps)
    {
        var population = Population.Start(model, ["", "b"], Particles);
        var options = new DecodeOptions(new SamplingOptions(), MaxTokens: steps, Stop: []);
        PopulationDecoder.Decode(population, options, Seed, firstRun: 0, stream: 0, new long[2], new long[2]);
        return population;
    }

    private sealed record PopulationSnapshot(
        long[] Ancestors, double[] LogWeights, long[][] Tokens, string[] Texts, int[] Lengths, bool[] Done, double[][] NextLogProbs);

    private static PopulationSnapshot Snapshot(Population population)
    {
        var rows = population.Rows;
        var width = (int)population.Tokens.shape[1];
        var tokens = population.Tokens.data<long>().ToArray();
        using var next = population.State.NextLogProbs();
        var vocabulary = (int)next.shape[1];
        var logProbs = next.data<double>().ToArray();
        return new PopulationSnapshot(
            population.Ancestors.data<long>().ToArray(),
            population.LogWeights.data<double>().ToArray(),
            Enumerable.Range(0, rows).Select(r => tokens[(r * width)..((r + 1) * width)]).ToArray(),
            population.Texts.ToArray(),
            population.Lengths.ToArray(),
            population.Done.ToArray(),
            Enumerable.Range(0, rows).Select(r => logProbs[(r * vocabulary)..((r + 1) * vocabulary)]).ToArray());
    }

    /// <summary>Row i after the move is row <paramref name="sources"/>[i] before it, in every array and in the model state.</summary>
    private static void AssertGathered(PopulationSnapshot before, PopulationSnapshot after, IReadOnlyList<long> sources)
    {
        Assert.Equal(sources.Count, after.Texts.Length);
        for (var i = 0; i < sources.Count; i++)
        {
            var source = (int)sources[i];
            Assert.Equal(before.Tokens[source], after.Tokens[i]);
            Assert.Equal(before.Texts[source], after.Texts[i]);
            Assert.Equal(before.Lengths[source], after.Lengths[i]);
            Assert.Equal(before.Done[source], after.Done[i]);
            Assert.Equal(before.NextLogProbs[source], after.NextLogProbs[i]);
        }
    }
}
