using System.Diagnostics;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using Tts.Runtime.Models;
using Tts.Runtime.Rewards;

namespace Tts.Benchmarking.Engines;

/// <summary>
/// llama.cpp driven directly through LLamaSharp's batched executor, as a user would without our runtime: one prompt
/// prefilled and forked to N sequences, one llama_decode per step, logits read from llama.cpp's buffer. The anchor the
/// TorchSharp runtime and the gguf engine are measured against.
/// </summary>
public sealed class LlamaCppHandLoop : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;

    public LlamaCppHandLoop(string ggufPath, int threads, int sequences, int contextTokens)
    {
        _parameters = new ModelParams(ggufPath)
        {
            ContextSize = (uint)contextTokens,
            SeqMax = (uint)sequences,
            BatchSize = (uint)Math.Max(sequences, 512),
            UBatchSize = (uint)Math.Max(sequences, 512),
            KVUnified = true,
            Threads = threads,
            BatchThreads = threads,
        };
        _weights = LLamaWeights.LoadFromFile(_parameters);
    }

    /// <summary>The median seconds of one decode step of <paramref name="rows"/> sequences (after two warm-up steps).</summary>
    public double StepSeconds(int[] prompt, int rows, int steps, int eosId, int seed)
    {
        using var executor = new BatchedExecutor(_weights, _parameters);
        var random = new Random(seed);
        var vocabulary = _weights.Vocab.Count;
        var first = executor.Create();
        first.Prompt(Array.ConvertAll(prompt, id => (LLamaToken)id));
        Infer(executor);
        var conversations = new List<Conversation> { first };
        for (var r = 1; r < rows; r++)
        {
            conversations.Add(first.Fork());
        }

        double Step()
        {
            var clock = Stopwatch.StartNew();
            foreach (var conversation in conversations)
            {
                var id = random.Next(vocabulary);
                conversation.Prompt((LLamaToken)(id == eosId ? (id + 1) % vocabulary : id));
            }

            Infer(executor);
            foreach (var conversation in conversations)
            {
                _ = conversation.Sample()[0]; // the logits are there to sample from
            }

            return clock.Elapsed.TotalSeconds;
        }

        Step();
        Step();
        var seconds = Timing.Median(Enumerable.Range(0, steps).Select(_ => Step()).ToList());
        conversations.ForEach(c => c.Dispose());
        return seconds;
    }

    /// <summary>
    /// Best-of-N by hand: N forks of the prompt sampled at temperature 1 (softmax and an inverse-CDF draw in C#) until
    /// EOS or <paramref name="maxTokens"/>, the texts scored in one reward call, the best kept. Returns seconds and tokens.
    /// </summary>
    public (double Seconds, long Tokens) BestOfN(Vocabulary vocabulary, int[] prompt, IReward reward, int n, int maxTokens, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var executor = new BatchedExecutor(_weights, _parameters);
        var random = new Random(seed);
        var first = executor.Create();
        first.Prompt(Array.ConvertAll(prompt, id => (LLamaToken)id));
        Infer(executor);
        var rows = new List<Conversation> { first };
        for (var r = 1; r < n; r++)
        {
            rows.Add(first.Fork());
        }

        var texts = Enumerable.Repeat("", n).ToArray();
        var live = Enumerable.Repeat(true, n).ToArray();
        var probabilities = new double[vocabulary.Count];
        long tokens = 0;
        for (var t = 0; t < maxTokens && live.Contains(true); t++)
        {
            for (var r = 0; r < n; r++)
            {
                if (!live[r])
                {
                    continue;
                }

                var token = Draw(rows[r].Sample(), probabilities, random);
                tokens++;
                if (token == vocabulary.EosId)
                {
                    live[r] = false;
                    continue;
                }

                texts[r] = vocabulary.AppendToken(texts[r], token, out _);
                if (t + 1 < maxTokens)
                {
                    rows[r].Prompt((LLamaToken)token);
                }
            }

            if (t + 1 < maxTokens && live.Contains(true))
            {
                Infer(executor);
            }
        }

        var scores = reward.Evaluate(texts);
        var best = 0;
        for (var r = 1; r < n; r++)
        {
            best = scores[r] > scores[best] ? r : best;
        }

        _ = texts[best];
        rows.ForEach(c => c.Dispose());
        return (clock.Elapsed.TotalSeconds, tokens);
    }

    public void Dispose() => _weights.Dispose();

    private static int Draw(Span<float> logits, double[] probabilities, Random random)
    {
        var max = double.NegativeInfinity;
        foreach (var logit in logits)
        {
            max = Math.Max(max, logit);
        }

        var total = 0.0;
        for (var v = 0; v < logits.Length; v++)
        {
            probabilities[v] = Math.Exp(logits[v] - max);
            total += probabilities[v];
        }

        var u = random.NextDouble() * total;
        for (var v = 0; v < logits.Length; v++)
        {
            u -= probabilities[v];
            if (u <= 0)
            {
                return v;
            }
        }

        return logits.Length - 1;
    }

    private static void Infer(BatchedExecutor executor)
    {
        var result = executor.Infer().GetAwaiter().GetResult();
        if (result != DecodeResult.Ok)
        {
            throw new ModelException($"llama.cpp decode failed in the hand-written loop ({result})");
        }
    }
}
