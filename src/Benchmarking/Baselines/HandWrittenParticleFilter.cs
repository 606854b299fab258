using System.Diagnostics;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Resampling;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Benchmarking.Baselines;

/// <summary>
/// A particle filter written directly over the runtime's lowest pieces: <c>runs × n</c> particles extend by one line
/// (stop at a newline, at most <c>maxTokens</c>) per step with finished rows held, a batched reward reweights them
/// (log reward), and runs whose effective sample size fell below <see cref="EssThreshold"/> × N resample systematically (ancestors gathered,
/// KV cache reordered). The time spent in the resampling block is measured separately: the resample cost share.
/// </summary>
public static class HandWrittenParticleFilter
{
    /// <summary>The ESS threshold, as in <see cref="DslStrategy.ParticleFilterSource"/>: resample whenever the weights are uneven.</summary>
    public const double EssThreshold = 1.0;

    public static BaselineRun Run(TransformerModel model, string prompt, IReward reward, int runs, int n, int steps, int maxTokens, double temperature, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reward);
        var clock = Stopwatch.StartNew();
        var rows = runs * n;
        var vocabulary = model.Vocabulary;
        var sampling = new SamplingOptions(Temperature: temperature);
        using var state = model.Start([model.Encode(prompt)], new int[rows]);
        var texts = Enumerable.Repeat("", rows).ToArray();
        var ended = new bool[rows];
        var logWeights = new double[rows];
        var random = new Random(seed);
        using var keys = torch.tensor(Enumerable.Range(0, rows).Select(_ => (long)(uint)random.Next()).ToArray(), ScalarType.Int64);
        using var runKeys = torch.tensor(Enumerable.Range(0, runs).Select(_ => (long)(uint)random.Next()).ToArray(), ScalarType.Int64);
        long generated = 0;
        double resampleSeconds = 0;
        var resamplings = 0;
        for (var step = 0; step < steps && ended.Contains(false); step++)
        {
            var active = Array.ConvertAll(ended, e => !e);
            var inStep = (bool[])active.Clone();
            for (var t = 0; t < maxTokens && inStep.Contains(true); t++)
            {
                long[] sampled;
                using (var scope = torch.NewDisposeScope())
                {
                    var tokens = TokenSampler.Sample(state.NextLogProbs(), sampling, keys, step * maxTokens + t);
                    state.Append(tokens, Array.ConvertAll(inStep, live => !live));
                    sampled = tokens.data<long>().ToArray();
                }

                for (var row = 0; row < rows; row++)
                {
                    if (!inStep[row])
                    {
                        continue;
                    }

                    generated++;
                    if (sampled[row] == vocabulary.EosId)
                    {
                        ended[row] = true;
                        inStep[row] = false;
                        continue;
                    }

                    texts[row] = vocabulary.AppendToken(texts[row], (int)sampled[row], out _);
                    inStep[row] = !texts[row].EndsWith('\n') && t + 1 < maxTokens;
                }
            }

            var scored = Enumerable.Range(0, rows).Where(row => active[row]).ToList();
            var values = reward.Evaluate(scored.Select(row => texts[row]).ToList());
            for (var i = 0; i < scored.Count; i++)
            {
                logWeights[scored[i]] += Math.Log(values[i]);
            }

            var resampleClock = Stopwatch.StartNew();
            if (Resample(state, runKeys, runs, n, step, ref texts, ref ended, ref logWeights))
            {
                resamplings++;
            }

            resampleSeconds += resampleClock.Elapsed.TotalSeconds;
        }

        return new BaselineRun(clock.Elapsed.TotalSeconds, generated, resampleSeconds, resamplings);
    }

    /// <summary>ESS test, systematic ancestors for the runs below the threshold, KV reorder and host-side gathers; false when no run resampled.</summary>
    private static bool Resample(IDecodeState state, Tensor runKeys, int runs, int n, int step, ref string[] texts, ref bool[] ended, ref double[] logWeights)
    {
        using var scope = torch.NewDisposeScope();
        var weights = torch.tensor(logWeights, ScalarType.Float64).reshape(runs, n);
        var resample = WeightMath.EssBelow(weights, EssThreshold);
        if (!resample.any().item<bool>())
        {
            return false;
        }

        var result = Resampler.Systematic.Resample(weights, runKeys, step);
        var identity = torch.arange(n, ScalarType.Int64).unsqueeze(0).expand(runs, n);
        var ancestors = Resampler.ToGlobalRows(torch.where(resample.unsqueeze(1), result.Ancestors, identity)).data<long>().ToArray();
        state.Reorder(torch.tensor(ancestors, ScalarType.Int64));
        var (oldTexts, oldEnded, oldWeights) = (texts, ended, logWeights);
        texts = Array.ConvertAll(ancestors, a => oldTexts[a]);
        ended = Array.ConvertAll(ancestors, a => oldEnded[a]);
        var reset = resample.data<bool>().ToArray();
        logWeights = ancestors.Select((a, row) => reset[row / n] ? 0.0 : oldWeights[a]).ToArray();
        return true;
    }
}
