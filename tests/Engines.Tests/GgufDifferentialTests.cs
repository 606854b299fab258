using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Engines.Tests;

/// <summary>
/// The same model on two engines: llama.cpp (the gguf engine, f32 weights, f32 KV cache, flash attention off) against
/// the TorchSharp runtime. Tolerance: log-probabilities within 1e-4 (measured: about 3e-6 on the shipped policy).
/// </summary>
public sealed class GgufDifferentialTests(ExportedModels models) : IClassFixture<ExportedModels>
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Models => new() { "policy", "random" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Next_token_log_probabilities_agree_through_append_hold_reorder_and_concat(string which)
    {
        var (torchModel, ggufModel) = Pick(which);
        var prompts = Prompts(which).Select(torchModel.Encode).ToList();
        Assert.Equal(prompts, Prompts(which).Select(ggufModel.Encode).ToList());
        int[] promptOfRow = [0, 0, 1, 2, 1];
        using var a = torchModel.Start(prompts, promptOfRow);
        using var b = ggufModel.Start(prompts, promptOfRow);
        var ended = new bool[promptOfRow.Length];
        AssertAgree(a, b, ended, "after the prompts");
        var random = new Random(5);
        for (var step = 0; step < 6; step++)
        {
            using var tokens = TokensFrom(a, random);
            bool[]? hold = step == 2 ? [true, false, false, true, false] : null;
            a.Append(tokens, hold);
            b.Append(tokens, hold);
            var ids = tokens.data<long>().ToArray();
            ended = ended.Select((e, r) => e || (hold?[r] != true && ids[r] == torchModel.Vocabulary.EosId)).ToArray();
            AssertAgree(a, b, ended, $"after step {step}");
            if (step == 3)
            {
                long[] order = [4, 0, 0, 2, 1, 4];
                using var orderTensor = tensor(order);
                a.Reorder(orderTensor);
                b.Reorder(orderTensor);
                ended = Array.ConvertAll(order, i => ended[i]);
                AssertAgree(a, b, ended, "after a reorder");
            }
        }

        Assert.Contains(false, ended);
        using var a2 = a.Concat(a);
        using var b2 = b.Concat(b);
        Assert.Equal(12, b2.Rows);
        ended = [.. ended, .. ended];
        using var last = TokensFrom(a2, random);
        a2.Append(last);
        b2.Append(last);
        var lastIds = last.data<long>().ToArray();
        ended = ended.Select((e, r) => e || lastIds[r] == torchModel.Vocabulary.EosId).ToArray();
        AssertAgree(a2, b2, ended, "after a concat");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Greedy_decoding_gives_the_same_tokens(string which)
    {
        var (torchModel, ggufModel) = Pick(which);
        var prompts = Prompts(which).Select(torchModel.Encode).ToList();
        int[] promptOfRow = [.. Enumerable.Range(0, prompts.Count)];
        Assert.Equal(Greedy(torchModel, prompts, promptOfRow), Greedy(ggufModel, prompts, promptOfRow));
    }

    /// <summary>Greedy continuations of up to 60 tokens, or until EOS (the random model's 48 positions force one).</summary>
    private static List<int>[] Greedy(ILanguageModel model, List<int[]> prompts, int[] promptOfRow)
    {
        using var state = model.Start(prompts, promptOfRow);
        var outputs = promptOfRow.Select(_ => new List<int>()).ToArray();
        var ended = new bool[promptOfRow.Length];
        for (var step = 0; step < 60 && !ended.All(e => e); step++)
        {
            using var logProbs = state.NextLogProbs();
            using var argmax = logProbs.argmax(1);
            var tokens = argmax.data<long>().ToArray();
            for (var r = 0; r < tokens.Length; r++)
            {
                if (!ended[r])
                {
                    outputs[r].Add((int)tokens[r]);
                    ended[r] = tokens[r] == model.Vocabulary.EosId;
                }
            }

            state.Append(argmax);
        }

        return outputs;
    }

    private (ILanguageModel Torch, ILanguageModel Gguf) Pick(string which) =>
        which == "policy" ? (models.Policy.Torch, models.Policy.Gguf) : (models.Random.Torch, models.Random.Gguf);

    private static string[] Prompts(string which) =>
        which == "policy" ? ["Q: 12+7=?\nA:", "Q: 3*4-5=?\nA:", ""] : ["abc é", "€ü x", ""];

    /// <summary>A token per row drawn from the TorchSharp engine's law without EOS, so rows stay live and comparable.</summary>
    internal static Tensor TokensFrom(IDecodeState state, Random random)
    {
        using var logProbs = state.NextLogProbs();
        using var probabilities = logProbs.exp();
        var p = probabilities.data<double>().ToArray();
        var vocabulary = (int)logProbs.shape[1];
        var tokens = new long[state.Rows];
        for (var r = 0; r < state.Rows; r++)
        {
            var row = p.AsSpan(r * vocabulary, vocabulary).ToArray();
            row[0] = 0; // EOS is id 0 in both models
            var u = random.NextDouble() * row.Sum();
            var v = 0;
            for (var cumulative = row[0]; cumulative < u && v < vocabulary - 1; cumulative += row[v])
            {
                v++;
            }

            tokens[r] = v;
        }

        return tensor(tokens);
    }

    /// <summary>Rows that ended may carry any law (the interface lets each model choose), so only live rows are compared.</summary>
    internal static void AssertAgree(IDecodeState torchState, IDecodeState ggufState, bool[] ended, string when)
    {
        Assert.Equal(torchState.Rows, ggufState.Rows);
        using var a = torchState.NextLogProbs();
        using var b = ggufState.NextLogProbs();
        Assert.Equal(a.shape, b.shape);
        using var aFinite = a.isfinite();
        using var bFinite = b.isfinite();
        using var mismatch = aFinite.ne(bFinite).logical_and(tensor(ended.Select(e => !e).ToArray()).unsqueeze(1)).any();
        Assert.False(mismatch.item<bool>(), $"{when}: the engines disagree on which tokens are impossible");
        using var live = tensor(ended.Select(e => !e).ToArray()).unsqueeze(1);
        using var difference = where(aFinite.logical_and(live), a - b, zeros_like(a)).abs();
        var largest = difference.max().item<double>();
        using var perRow = difference.amax(1);
        var rowsText = string.Join(" ", perRow.data<double>().ToArray().Select(d => d.ToString("G3")));
        Assert.True(largest <= Tolerance, $"{when}: log-probabilities differ by {largest} (tolerance {Tolerance}); per row {rowsText}");
    }
}
