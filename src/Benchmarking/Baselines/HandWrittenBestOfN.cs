using System.Diagnostics;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Benchmarking.Baselines;

/// <summary>
/// Best-of-N written directly over the runtime's lowest pieces, as a user would without the language: one shared
/// prompt prefill, <c>runs × n</c> rows decoded together until EOS or <c>maxTokens</c> (finished rows held), one
/// batched reward call, an argmax per run. The baseline the DSL's best-of-N is measured against.
/// </summary>
public static class HandWrittenBestOfN
{
    /// <returns>The best text of each run and the cost.</returns>
    public static (string[] Best, BaselineRun Run) Run(TransformerModel model, string prompt, IReward reward, int runs, int n, int maxTokens, double temperature, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reward);
        var clock = Stopwatch.StartNew();
        var rows = runs * n;
        var vocabulary = model.Vocabulary;
        var sampling = new SamplingOptions(Temperature: temperature);
        using var state = model.Start([model.Encode(prompt)], new int[rows]);
        var texts = Enumerable.Repeat("", rows).ToArray();
        var live = Enumerable.Repeat(true, rows).ToArray();
        var random = new Random(seed);
        using var keys = torch.tensor(Enumerable.Range(0, rows).Select(_ => (long)(uint)random.Next()).ToArray(), ScalarType.Int64);
        long generated = 0;
        for (var t = 0; t < maxTokens && live.Contains(true); t++)
        {
            long[] sampled;
            using (var scope = torch.NewDisposeScope())
            {
                var tokens = TokenSampler.Sample(state.NextLogProbs(), sampling, keys, t);
                state.Append(tokens, Array.ConvertAll(live, l => !l));
                sampled = tokens.data<long>().ToArray();
            }

            for (var row = 0; row < rows; row++)
            {
                if (!live[row])
                {
                    continue;
                }

                generated++;
                if (sampled[row] == vocabulary.EosId)
                {
                    live[row] = false;
                    continue;
                }

                texts[row] = vocabulary.AppendToken(texts[row], (int)sampled[row], out _);
            }
        }

        var scores = reward.Evaluate(texts);
        var best = new string[runs];
        for (var run = 0; run < runs; run++)
        {
            var top = run * n;
            for (var row = top + 1; row < (run + 1) * n; row++)
            {
                top = scores[row] > scores[top] ? row : top;
            }

            best[run] = texts[top];
        }

        return (best, new BaselineRun(clock.Elapsed.TotalSeconds, generated));
    }
}
