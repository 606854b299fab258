using Tts.Engines.Gguf.Engine;
using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Engines.Tests;

/// <summary>
/// Populations larger than one llama.cpp context holds: the shipped policy loaded with 3 sequences per context, so
/// 10 rows take 4 contexts and resampling copies rows across contexts; the log-probabilities must still match the
/// TorchSharp engine, every sequence must be freed, and a population beyond the memory budget is a one-line error.
/// </summary>
public sealed class GgufContextPoolTests(ExportedModels models) : IClassFixture<ExportedModels>
{
    [Fact]
    public void Rows_spread_over_contexts_agree_with_the_torch_engine_through_reorder_and_concat()
    {
        using var gguf = GgufModel.Load(models.PolicyPath, new GgufOptions { Sequences = 3, FullPrecisionAttention = true, Threads = 2 });
        var torchModel = models.Policy.Torch;
        var prompts = new[] { "Q: 12+7=?\nA:", "Q: 3*4-5=?\nA:", "" }.Select(torchModel.Encode).ToList();
        int[] promptOfRow = [0, 0, 0, 0, 0, 1, 2, 1, 0, 1];
        var random = new Random(3);
        using (var a = torchModel.Start(prompts, promptOfRow))
        using (var b = gguf.Start(prompts, promptOfRow))
        {
            Assert.Equal(4, gguf.Contexts);
            Assert.Equal(10, gguf.LiveSequences);
            var ended = new bool[promptOfRow.Length];
            GgufDifferentialTests.AssertAgree(a, b, ended, "after the prompts");
            for (var step = 0; step < 5; step++)
            {
                using var tokens = GgufDifferentialTests.TokensFrom(a, random);
                a.Append(tokens);
                b.Append(tokens);
                GgufDifferentialTests.AssertAgree(a, b, ended, $"after step {step}");
                if (step == 2)
                {
                    // Row 6 (alone in its context at the start) copied 7 times: forks where there is room, state copies elsewhere.
                    long[] order = [6, 6, 9, 6, 6, 6, 0, 6, 6, 3, 9];
                    using var orderTensor = tensor(order);
                    a.Reorder(orderTensor);
                    b.Reorder(orderTensor);
                    ended = Array.ConvertAll(order, i => ended[i]);
                    Assert.Equal(11, gguf.LiveSequences);
                    GgufDifferentialTests.AssertAgree(a, b, ended, "after a reorder across contexts");
                }
            }

            using var a2 = a.Concat(a);
            using var b2 = b.Concat(b);
            Assert.Equal(33, gguf.LiveSequences);
            using var last = GgufDifferentialTests.TokensFrom(a2, random);
            a2.Append(last);
            b2.Append(last);
            GgufDifferentialTests.AssertAgree(a2, b2, [.. ended, .. ended], "after a concat");
        }

        Assert.Equal(0, gguf.LiveSequences);
    }

    [Fact]
    public void A_population_beyond_the_memory_budget_is_an_error_naming_the_options()
    {
        // A budget for two contexts of 2 sequences: 5 rows need a third.
        var probe = GgufModel.Load(models.PolicyPath, new GgufOptions { Sequences = 2, ContextTokens = 256, Threads = 2 });
        var contextBytes = probe.Pool.BytesPerContext;
        probe.Dispose();
        using var gguf = GgufModel.Load(models.PolicyPath, new GgufOptions { Sequences = 2, ContextTokens = 256, Threads = 2, MaxKvCacheBytes = 2 * contextBytes });
        var prompt = gguf.Encode("Q: 1+1=?\nA:");
        using (var fits = gguf.Start([prompt], [0, 0, 0, 0]))
        {
            Assert.Equal(2, gguf.Contexts);
        }

        var error = Assert.Throws<ModelException>(() => gguf.Start([prompt], [0, 0, 0, 0, 0]));
        Assert.Contains("--batch-particles", error.Message);
        Assert.Contains("kv_cache_gb", error.Message);
        Assert.Equal(0, gguf.LiveSequences);

        // The model stays usable after the refusal.
        using var again = gguf.Start([prompt], [0, 0, 0]);
        Assert.Equal(3, again.Rows);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Sequences_per_context_outside_llama_cpp_s_range_are_refused(int sequences)
    {
        var error = Assert.Throws<ModelException>(() => GgufModel.Load(models.PolicyPath, new GgufOptions { Sequences = sequences }));
        Assert.Contains("from 1 to 256", error.Message);
    }
}
