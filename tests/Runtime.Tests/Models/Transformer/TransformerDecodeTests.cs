using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models.Transformer;

/// <summary>
/// The cached, batched decode against one causal forward pass without a cache. Float32 network, so log-probabilities
/// agree to <see cref="Tolerance"/> (observed differences are around 1e-6; a wrong position, mask or gather moves
/// them by 1e-2 or more on these models).
/// </summary>
public sealed class TransformerDecodeTests
{
    private const double Tolerance = 1e-4;

    /// <summary>[length, vocab] log-probabilities of every next token of <paramref name="sequence"/>, from the full forward.</summary>
    private static double[][] FullForwardLogProbs(TransformerModel model, IReadOnlyList<int> sequence)
    {
        using var scope = torch.NewDisposeScope();
        var tokens = torch.tensor(sequence.Select(t => (long)t).ToArray(), [1, sequence.Count]);
        var logits = model.FullForwardLogits(tokens)[0].to(ScalarType.Float64);
        if (model.UnassignedIds is { } unassigned)
        {
            logits = logits.masked_fill(unassigned.unsqueeze(0), double.NegativeInfinity);
        }

        var logProbs = logits.log_softmax(1);
        return Enumerable.Range(0, sequence.Count).Select(t => logProbs[t].data<double>().ToArray()).ToArray();
    }

    private static double[][] Rows(IDecodeState state)
    {
        using var logProbs = state.NextLogProbs();
        Assert.Equal(new long[] { state.Rows, TinyTransformers.VocabSize }, logProbs.shape);
        Assert.Equal(ScalarType.Float64, logProbs.dtype);
        return Enumerable.Range(0, state.Rows).Select(r => { using var row = logProbs[r]; return row.data<double>().ToArray(); }).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNegativeInfinity(expected[i]))
            {
                Assert.True(double.IsNegativeInfinity(actual[i]), $"{where}: token {i} should be impossible, got {actual[i]}");
                continue;
            }

            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{where}: token {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static void Append(IDecodeState state, params long[] tokens)
    {
        using var tensor = torch.tensor(tokens);
        state.Append(tensor);
    }

    [Theory]
    [MemberData(nameof(TinyTransformers.Variants), MemberType = typeof(TinyTransformers))]
    public void Incremental_decoding_equals_the_full_forward_at_every_position(string variant)
    {
        using var model = TinyTransformers.Variant(variant);
        var prompt = model.Encode("abc");
        int[] continuation = [4, 7, 9, 1, 2, 16, 5, 5, 11, 3, 8, 12];
        var sequence = prompt.Concat(continuation).ToList();
        var reference = FullForwardLogProbs(model, sequence);

        using var state = model.Start([prompt], [0]);
        for (var t = 0; t <= continuation.Length; t++)
        {
            AssertClose(reference[prompt.Length - 1 + t], Rows(state)[0], $"{variant}, step {t}");
            if (t < continuation.Length)
            {
                Append(state, continuation[t]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TinyTransformers.Variants), MemberType = typeof(TinyTransformers))]
    public void Decoding_after_a_reorder_with_repeated_rows_equals_the_full_forward(string variant)
    {
        using var model = TinyTransformers.Variant(variant);
        var prompt = model.Encode("hex");
        var histories = new List<List<int>> { new(prompt), new(prompt), new(prompt) };
        using var state = model.Start([prompt], [0, 0, 0]);
        long[][] before = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]];
        foreach (var step in before)
        {
            Append(state, step);
            for (var r = 0; r < 3; r++)
            {
                histories[r].Add((int)step[r]);
            }
        }

        // Resample: row 2 twice, row 1 dropped, rows move.
        long[] ancestors = [2, 0, 2, 1, 2];
        using (var indices = torch.tensor(ancestors))
        {
            state.Reorder(indices);
        }

        histories = ancestors.Select(a => new List<int>(histories[(int)a])).ToList();
        Assert.Equal(5, state.Rows);
        long[][] after = [[3, 4, 5, 6, 7], [16, 15, 14, 13, 12], [1, 1, 2, 2, 3]];
        for (var t = 0; t <= after.Length; t++)
        {
            var rows = Rows(state);
            for (var r = 0; r < 5; r++)
            {
                AssertClose(FullForwardLogProbs(model, histories[r])[^1], rows[r], $"{variant}, row {r}, step {t} after the reorder");
            }

            if (t < after.Length)
            {
                Append(state, after[t]);
                for (var r = 0; r < 5; r++)
                {
                    histories[r].Add((int)after[t][r]);
                }
            }
        }
    }

    /// <summary>
    /// A decode step of 1–16 rows computes its projections in C# (<c>SmallBatchProjection</c>) rather than with
    /// <c>linear</c>, split over threads when large: on a model whose q/k/v (with biases), attention output, gate/up and
    /// down weights are large enough to be split, every row still equals the full forward, on both sides of the 16-row
    /// limit and with a row count that leaves a remainder after the blocks of four.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(16)]
    [InlineData(17)]
    public void Decoding_few_rows_with_large_projections_equals_the_full_forward(int rowCount)
    {
        var config = TinyTransformers.Config() with { HiddenSize = 512, IntermediateSize = 1024, HeadCount = 8, KeyValueHeadCount = 4, HeadDim = 64 };
        using var model = TinyTransformers.Create(seed: 21, config, attentionBiases: true);
        var prompt = model.Encode("bad cafe");
        var histories = Enumerable.Range(0, rowCount).Select(_ => new List<int>(prompt)).ToList();
        using var state = model.Start([prompt], new int[rowCount]);
        for (var t = 0; t <= 3; t++)
        {
            var rows = Rows(state);
            for (var r = 0; r < rowCount; r++)
            {
                AssertClose(FullForwardLogProbs(model, histories[r])[^1], rows[r], $"{rowCount} rows, row {r}, step {t}");
            }

            if (t < 3)
            {
                var tokens = Enumerable.Range(0, rowCount).Select(r => (long)(1 + ((r * 5) + (t * 3)) % 16)).ToArray();
                Append(state, tokens);
                for (var r = 0; r < rowCount; r++)
                {
                    histories[r].Add((int)tokens[r]);
                }
            }
        }
    }

    /// <summary>
    /// The C# decode step of 1–16 rows computes each row on its own: a row that decodes alone and the same row decoding
    /// among other rows (other prompts, other tokens, grouped-query heads, suffixes of other lengths) get the same
    /// bits at every step, with one thread and with several.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_row_of_a_small_step_has_the_same_bits_alone_and_among_other_rows(int threads)
    {
        var previousThreads = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            var config = TinyTransformers.Config() with { HiddenSize = 256, IntermediateSize = 512, HeadCount = 8, KeyValueHeadCount = 2, HeadDim = 32 };
            using var model = TinyTransformers.Create(seed: 8, config, attentionBiases: true);
            int[][] prompts = [model.Encode("bad cafe"), model.Encode("ab")];
            // Both states prefill both prompts: a prefill's bits depend on its batch (libtorch's GEMM), not this step's.
            using var alone = model.Start(prompts, [0]);
            using var among = model.Start(prompts, [1, 0, 1, 0, 1, 1, 0]); // the row followed is row 3, prompt 0
            for (var step = 0; step < 6; step++)
            {
                var expected = Rows(alone)[0];
                var actual = Rows(among)[3];
                Assert.True(expected.SequenceEqual(actual), $"step {step}: the row's log-probabilities differ among other rows");
                var token = 1 + (step * 7 % 15);
                Append(alone, token);
                Append(among, Enumerable.Range(0, 7).Select(r => (long)(r == 3 ? token : 1 + (r + step * 3) % 15)).ToArray());
            }
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>
    /// The C# step (CPUs) and the libtorch step (GPUs) on the same model and rows, one prompt and several: the same
    /// rows' log-probabilities agree to the tolerance (both are also checked against the full forward above).
    /// </summary>
    [Theory]
    [MemberData(nameof(TinyTransformers.Variants), MemberType = typeof(TinyTransformers))]
    public void The_CSharp_step_agrees_with_the_tensor_step(string variant)
    {
        using var model = TinyTransformers.Variant(variant);
        int[][] prompts = [model.Encode("ceded"), model.Encode("ab")];
        int[] promptOfRow = [0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1];
        using var fromCSharp = model.Start(prompts, promptOfRow);
        using var fromTensors = model.Start(prompts, promptOfRow);
        try
        {
            for (var step = 0; step < 5; step++)
            {
                var (expected, actual) = (Rows(fromTensors), Rows(fromCSharp));
                for (var r = 0; r < promptOfRow.Length; r++)
                {
                    AssertClose(expected[r], actual[r], $"{variant}, step {step}, row {r}");
                }

                // The network reads the switch at each step: each state decodes on its own path.
                var tokens = Enumerable.Range(0, promptOfRow.Length).Select(r => (long)(1 + (r * 3 + step * 5) % 15)).ToArray();
                model.Network.TensorStepOnly = false;
                Append(fromCSharp, tokens);
                model.Network.TensorStepOnly = true;
                Append(fromTensors, tokens);
            }
        }
        finally
        {
            model.Network.TensorStepOnly = false;
        }
    }

    [Fact]
    public void A_fork_before_the_first_step_and_suffix_growth_past_its_first_capacity_keep_decoding_exact()
    {
        // The suffix is allocated at the first decode step with uninitialized keys and doubles at 16 positions:
        // forking before it exists and writing 20 tokens per row covers both paths.
        using var model = TinyTransformers.Create(seed: 5);
        int[][] prompts = [model.Encode("ab"), model.Encode("ceded")];
        using var state = model.Start(prompts, [0, 1]);
        long[] ancestors = [1, 0, 1];
        using (var indices = torch.tensor(ancestors))
        {
            state.Reorder(indices);
        }

        var histories = ancestors.Select(a => new List<int>(prompts[a])).ToList();
        for (var step = 0; step <= 20; step++)
        {
            var rows = Rows(state);
            for (var r = 0; r < 3; r++)
            {
                AssertClose(FullForwardLogProbs(model, histories[r])[^1], rows[r], $"row {r}, step {step}");
            }

            if (step < 20)
            {
                var tokens = Enumerable.Range(0, 3).Select(r => (long)(1 + (r * 5 + step * 3) % 15)).ToArray();
                Append(state, tokens);
                for (var r = 0; r < 3; r++)
                {
                    histories[r].Add((int)tokens[r]);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 0)] // neither suffix allocated yet
    [InlineData(3, 0)] // only the first
    [InlineData(2, 18)] // suffixes of different capacities (16 and 32)
    public void A_concatenated_state_decodes_exactly_as_the_two_states_separately(int firstSteps, int secondSteps)
    {
        using var model = TinyTransformers.Create(seed: 7);
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var first = model.Start([model.Encode("ab"), model.Encode("cafe")], [1, 0, 1]);
        var second = model.Start([model.Encode("hex fed")], [0, 0]);
        for (var step = 0; step < Math.Max(firstSteps, secondSteps); step++)
        {
            if (step < firstSteps)
            {
                Append(first, Enumerable.Range(0, 3).Select(r => (long)(1 + (r * 3 + step) % 15)).ToArray());
            }

            if (step < secondSteps)
            {
                Append(second, Enumerable.Range(0, 2).Select(r => (long)(2 + (r * 5 + step * 2) % 14)).ToArray());
            }
        }

        using (var joined = first.Concat(second))
        {
            Assert.Equal(5, joined.Rows);
            for (var step = 0; step <= 4; step++)
            {
                var expected = Rows(first).Concat(Rows(second)).ToArray();
                var actual = Rows(joined);
                for (var r = 0; r < 5; r++)
                {
                    AssertClose(expected[r], actual[r], $"row {r}, step {step} after the concatenation");
                }

                var tokens = Enumerable.Range(0, 5).Select(r => (long)(1 + (r * 7 + step * 3) % 15)).ToArray();
                Append(first, tokens[..3]);
                Append(second, tokens[3..]);
                Append(joined, tokens);
            }
        }

        // The inputs stay usable after the concatenation (they were decoded above) and are disposed separately.
        first.Dispose();
        second.Dispose();
        Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Batched_rows_with_different_prompts_and_lengths_equal_one_row_at_a_time()
    {
        using var model = TinyTransformers.Create(seed: 5);
        int[][] prompts = [model.Encode("bad egg"), model.Encode(""), model.Encode("x"), model.Encode("héé €")];
        int[] promptOfRow = [0, 1, 1, 2, 3, 0];
        long[][] steps = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 1, 2], [3, 3, 3, 3, 3, 3]];

        using var batched = model.Start(prompts, promptOfRow);
        var singles = promptOfRow.Select(p => model.Start([prompts[p]], [0])).ToList();
        try
        {
            for (var t = 0; t <= steps.Length; t++)
            {
                var rows = Rows(batched);
                for (var r = 0; r < promptOfRow.Length; r++)
                {
                    AssertClose(Rows(singles[r])[0], rows[r], $"row {r}, step {t}");
                }

                if (t < steps.Length)
                {
                    Append(batched, steps[t]);
                    for (var r = 0; r < promptOfRow.Length; r++)
                    {
                        Append(singles[r], steps[t][r]);
                    }
                }
            }
        }
        finally
        {
            singles.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void Each_distinct_prompt_is_prefilled_once_whatever_the_number_of_rows()
    {
        using var model = TinyTransformers.Create();
        var shared = model.Encode("abcde");
        var other = model.Encode("xy");
        using var state = model.Start([shared, other], Enumerable.Repeat(0, 64).Append(1).ToList());

        Assert.Equal(shared.Length + other.Length, model.TokensProcessed);
        Assert.Equal(1, model.ForwardCalls);

        Append(state, Enumerable.Repeat(3L, 65).ToArray());
        Assert.Equal(shared.Length + other.Length + 65, model.TokensProcessed);
        Assert.Equal(2, model.ForwardCalls);
    }

    [Fact]
    public void Ended_rows_stop_growing_and_the_others_continue_exactly()
    {
        using var model = TinyTransformers.Create(seed: 8);
        var prompt = model.Encode("ab");
        using var state = model.Start([prompt], [0, 0]);
        Append(state, 0, 5); // row 0 ends with EOS
        Append(state, 9, 6); // row 0's value is ignored
        Append(state, 2, 7);
        AssertClose(FullForwardLogProbs(model, [.. prompt, 5, 6, 7])[^1], Rows(state)[1], "the live row");
    }

    [Fact]
    public void A_row_at_max_position_embeddings_must_end()
    {
        using var model = TinyTransformers.Create(config: TinyTransformers.Config(maxPositions: 6));
        using var state = model.Start([model.Encode("abc")], [0]);
        Append(state, 4);
        Append(state, 4);
        Assert.True(Rows(state)[0][0] < 0); // one position left: EOS is not forced yet
        Append(state, 4);
        var row = Rows(state)[0];
        Assert.Equal(0.0, row[0]);
        Assert.All(row.Skip(1), lp => Assert.True(double.IsNegativeInfinity(lp)));
    }

    [Fact]
    public void A_row_ended_at_max_position_embeddings_beside_a_live_row_keeps_the_live_row_exact()
    {
        // The ended row still runs through the step at position max_position_embeddings, one past the rotary table
        // the network made at construction (min(max positions, 1024) rows): the table grows and the live row,
        // three positions behind, stays equal to the full forward.
        using var model = TinyTransformers.Create(seed: 5, config: TinyTransformers.Config(maxPositions: 8));
        var longPrompt = model.Encode("abcde");
        var shortPrompt = model.Encode("ab");
        using var state = model.Start([longPrompt, shortPrompt], [0, 1]);
        var live = new List<int>(shortPrompt);
        for (var step = 0; step < 8 - longPrompt.Length; step++)
        {
            Append(state, 4, 6 + step);
            live.Add(6 + step);
        }

        Assert.Equal(0.0, Rows(state)[0][0]); // row 0 is full: EOS is forced
        Append(state, 0, 3);
        live.Add(3);
        AssertClose(FullForwardLogProbs(model, live)[^1], Rows(state)[1], "the live row");
    }

    [Theory]
    [MemberData(nameof(TinyTransformers.Variants), MemberType = typeof(TinyTransformers))]
    public void The_rotary_table_gives_bit_for_bit_the_angles_computed_directly(string variant)
    {
        // Positions inside the table made at construction (min(max positions, 1024) = 128 rows here) and past it (the
        // table grows): every looked-up cos and signed sin equals the direct computation exactly, not within a tolerance.
        using var model = TinyTransformers.Variant(variant);
        using var scope = torch.NewDisposeScope();
        foreach (var positions in new[] { new long[] { 0 }, [5, 127, 3, 64], [300, 1, 129, 2047] })
        {
            var (cos, sin) = model.Network.RotaryAt(positions);
            var (directCos, directSin) = model.Network.Rotary(torch.tensor(positions));
            foreach (var (looked, direct, what) in new[] { (cos, directCos, "cos"), (sin, directSin, "sin") })
            {
                var rows = looked.squeeze(1).squeeze(1);
                Assert.Equal(direct.shape, rows.shape);
                Assert.True(rows.eq(direct).all().item<bool>(), $"{variant}: {what} at [{string.Join(", ", positions)}]");
            }
        }
    }

    [Fact]
    public void A_cache_above_the_limit_is_refused_before_allocation()
    {
        using var model = TinyTransformers.Create(options: new TransformerOptions { Device = DevicePreference.Cpu, MaxKvCacheBytes = 64 * 1024 });
        var prompt = model.Encode("abc");
        var error = Assert.Throws<ModelException>(() => model.Start([prompt], Enumerable.Repeat(0, 1000).ToList()));
        Assert.Contains("KV cache for 1000 rows", error.Message, StringComparison.Ordinal);
        Assert.Contains("above the limit of", error.Message, StringComparison.Ordinal);

        // Within the limit it runs; growing past it later is refused the same way.
        using var state = model.Start([prompt], [0, 0]);
        var grow = Assert.Throws<ModelException>(() =>
        {
            for (var step = 0; step < 100; step++)
            {
                Append(state, 1, 2);
            }
        });
        Assert.Contains("above the limit of", grow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_leaves_no_live_tensors_behind()
    {
        using var model = TinyTransformers.Create(seed: 3);
        var prompt = model.Encode("cafe");
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var state = model.Start([prompt, model.Encode("")], [0, 1, 1]))
        {
            for (var step = 0; step < 20; step++)
            {
                using var logProbs = state.NextLogProbs();
                Append(state, Enumerable.Range(1, state.Rows).Select(i => (long)i).ToArray());
                if (step == 10)
                {
                    using var indices = torch.tensor(new long[] { 2, 2, 0, 1 });
                    state.Reorder(indices);
                }
            }
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
