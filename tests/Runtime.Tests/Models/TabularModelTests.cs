using Tts.Runtime.Models.Tabular;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Models;

public sealed class TabularModelTests
{
    private const double Exact = 1e-12;

    [Fact]
    public void Load_ReadsTheDesignExample()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tabular-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, TabularModels.DesignExample);
        try
        {
            using var model = TabularModel.Load(path);
            Assert.Equal(["a", "b", "c", "<eos>"], model.Vocabulary.Tokens);
            Assert.Equal(TabularModels.DesignEos, model.Vocabulary.EosId);
            Assert.Equal(1, model.Order);
            Assert.Equal(4, model.MaxTokens);
            Assert.Equal(path, model.SourceName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NextTokenProbabilities_LooksUpTheRowOfTheLastToken()
    {
        using var model = TabularModels.Design();
        Assert.Equal([0.5, 0.3, 0.1, 0.1], model.NextTokenProbabilities([], 0));
        Assert.Equal([0.2, 0.2, 0.2, 0.4], model.NextTokenProbabilities([TabularModels.A], 1));
        Assert.Equal([0.1, 0.6, 0.2, 0.1], model.NextTokenProbabilities([TabularModels.A, TabularModels.B], 2));
        Assert.Equal([0.3, 0.3, 0.3, 0.1], model.NextTokenProbabilities([TabularModels.B, TabularModels.C], 2));
    }

    [Fact]
    public void NextTokenProbabilities_UsesThePromptAsContext()
    {
        using var model = TabularModels.Design();

        // One prompt token "c", nothing generated yet: the row of "c", not of "".
        Assert.Equal([0.3, 0.3, 0.3, 0.1], model.NextTokenProbabilities([TabularModels.C], 0));
    }

    [Fact]
    public void NextTokenProbabilities_ForcesEosAfterMaxTokensGenerated_PromptExcluded()
    {
        using var model = TabularModels.Design();
        int[] context = [TabularModels.A, TabularModels.A, TabularModels.A, TabularModels.A, TabularModels.A];

        // Five tokens of context, of which the last 3 or 4 were generated (the rest is prompt).
        Assert.Equal([0.2, 0.2, 0.2, 0.4], model.NextTokenProbabilities(context, 3));
        Assert.Equal([0.0, 0.0, 0.0, 1.0], model.NextTokenProbabilities(context, 4));
    }

    [Fact]
    public void NextTokenProbabilities_FallsBackToTheLongestPresentSuffix()
    {
        using var model = TabularModel.Parse(TabularModels.OrderTwo, "order2.json");
        const int a = 0, b = 1;
        Assert.Equal([0.6, 0.0, 0.4], model.NextTokenProbabilities([a, b], 2)); // "a b" present
        Assert.Equal([0.1, 0.7, 0.2], model.NextTokenProbabilities([b, a], 2)); // "b a" missing → "a"
        Assert.Equal([0.5, 0.25, 0.25], model.NextTokenProbabilities([b, b], 2)); // "b b", "b" missing → ""
        Assert.Equal([0.5, 0.25, 0.25], model.NextTokenProbabilities([b], 1)); // "b" missing → ""
        Assert.Equal([0.6, 0.0, 0.4], model.NextTokenProbabilities([b, a, b], 3 - 1)); // only the last 2 tokens count
    }

    [Fact]
    public void ExactTextLaw_MatchesHandComputedProbabilitiesAndSumsToOne()
    {
        using var model = TabularModels.Design();
        var law = model.ExactTextLaw("");

        Assert.Equal(1.0, law.Values.Sum(), Exact);
        Assert.Equal(0.1, law[""], Exact);
        Assert.Equal(0.5 * 0.4, law["a"], Exact);
        Assert.Equal(0.3 * 0.1, law["b"], Exact);
        Assert.Equal(0.5 * 0.2 * 0.1, law["ab"], Exact);
        Assert.Equal(0.5 * 0.2 * 0.2 * 0.3 * 1.0, law["abcb"], Exact); // EOS forced after 4 tokens
        Assert.Equal(0.5 * 0.2 * 0.2 * 0.2, law["aaaa"], Exact);
        Assert.All(law.Keys, text => Assert.True(text.Length <= 4));
        Assert.Equal(1 + 3 + 9 + 27 + 81, law.Count); // every text over {a, b, c} of length ≤ 4 has positive probability
    }

    [Fact]
    public void ExactTextLaw_StartsFromThePrompt()
    {
        using var model = TabularModels.Design();
        var law = model.ExactTextLaw("ab");

        Assert.Equal(1.0, law.Values.Sum(), Exact);
        Assert.Equal(0.1, law[""], Exact); // the row of "b"
        Assert.Equal(0.6 * 0.1, law["b"], Exact);
    }

    [Fact]
    public void DecodeState_NextLogProbs_IsTheLogOfTheReferenceLaw()
    {
        using var model = TabularModels.Design();
        using var state = model.Start([[TabularModels.A], []], [0, 1, 0]);
        using var logProbs = state.NextLogProbs();

        Assert.Equal(ScalarType.Float64, logProbs.dtype);
        Assert.Equal([3L, 4L], logProbs.shape);
        AssertRow(logProbs, 0, [0.2, 0.2, 0.2, 0.4]);
        AssertRow(logProbs, 1, [0.5, 0.3, 0.1, 0.1]);
        AssertRow(logProbs, 2, [0.2, 0.2, 0.2, 0.4]);
    }

    [Fact]
    public void DecodeState_WriteRows_CopiesASourceRowAndRejectsATargetOutsideTheState()
    {
        using var model = TabularModels.Design();
        using var state = model.Start([[TabularModels.A], []], [0, 1, 0]);
        using var source = model.Start([[]], [0]);

        using (var target = tensor(new long[] { 0 }))
        {
            Assert.True(state.TryWriteRows(target, source));
        }

        using (var logProbs = state.NextLogProbs())
        {
            AssertRow(logProbs, 0, [0.5, 0.3, 0.1, 0.1]); // row 0 now has the source's empty prompt
            AssertRow(logProbs, 2, [0.2, 0.2, 0.2, 0.4]);
        }

        using var outside = tensor(new long[] { 3 });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => state.TryWriteRows(outside, source));
        Assert.Contains("Source row 0 names a row outside the 3 rows.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeState_AppendAndReorder_FollowEachRowsHistory()
    {
        using var model = TabularModels.Design();
        using var state = model.Start([[TabularModels.A], []], [0, 1, 0]);

        using (var tokens = tensor(new long[] { TabularModels.B, TabularModels.C, TabularModels.DesignEos }))
        {
            state.Append(tokens);
        }

        using (var logProbs = state.NextLogProbs())
        {
            AssertRow(logProbs, 0, [0.1, 0.6, 0.2, 0.1]); // "a" + "b"
            AssertRow(logProbs, 1, [0.3, 0.3, 0.3, 0.1]); // "c"
            AssertRow(logProbs, 2, [0.0, 0.0, 0.0, 1.0]); // ended: EOS again
        }

        using (var order = tensor(new long[] { 2, 0, 0, 1 }))
        {
            state.Reorder(order);
        }

        Assert.Equal(4, state.Rows);

        // Rows after EOS ignore what they are given, even an id outside the vocabulary.
        using (var tokens = tensor(new long[] { 99, TabularModels.A, TabularModels.C, TabularModels.B }))
        {
            state.Append(tokens);
        }

        using (var logProbs = state.NextLogProbs())
        {
            AssertRow(logProbs, 0, [0.0, 0.0, 0.0, 1.0]);
            AssertRow(logProbs, 1, [0.2, 0.2, 0.2, 0.4]);
            AssertRow(logProbs, 2, [0.3, 0.3, 0.3, 0.1]);
            AssertRow(logProbs, 3, [0.1, 0.6, 0.2, 0.1]);
        }
    }

    [Fact]
    public void DecodeState_ForcesEosAfterMaxTokensGenerated_PromptExcluded()
    {
        using var model = TabularModels.Design();
        using var state = model.Start([[TabularModels.A, TabularModels.A, TabularModels.A]], [0]);
        for (var step = 0; step < 4; step++)
        {
            using (var logProbs = state.NextLogProbs())
            {
                AssertRow(logProbs, 0, [0.2, 0.2, 0.2, 0.4]);
            }

            using var token = tensor(new long[] { TabularModels.A });
            state.Append(token);
        }

        using var forced = state.NextLogProbs();
        AssertRow(forced, 0, [0.0, 0.0, 0.0, 1.0]);
    }

    [Fact]
    public void DecodeState_EnumeratedByForking_ReproducesTheExactTextLaw()
    {
        // Breadth-first enumeration driven only through the batched interface: every step forks
        // each live row once per possible token (Reorder), appends those tokens, and multiplies
        // the probabilities NextLogProbs gives. The result must be the reference law.
        using var model = TabularModels.Design();
        var law = model.ExactTextLaw("c");
        using var state = model.Start([model.Encode("c")], [0]);
        var rows = new List<(double Probability, string Text)> { (1.0, "") };
        var finished = new Dictionary<string, double>();
        while (rows.Count > 0)
        {
            using var logProbs = state.NextLogProbs();
            var values = logProbs.data<double>().ToArray();
            var vocabularySize = model.Vocabulary.Count;
            var parents = new List<long>();
            var tokens = new List<long>();
            var next = new List<(double Probability, string Text)>();
            for (var r = 0; r < rows.Count; r++)
            {
                for (var token = 0; token < vocabularySize; token++)
                {
                    var p = Math.Exp(values[r * vocabularySize + token]);
                    if (p == 0.0)
                    {
                        continue;
                    }

                    if (token == model.Vocabulary.EosId)
                    {
                        finished[rows[r].Text] = finished.GetValueOrDefault(rows[r].Text) + rows[r].Probability * p;
                        continue;
                    }

                    parents.Add(r);
                    tokens.Add(token);
                    next.Add((rows[r].Probability * p, rows[r].Text + model.Vocabulary.Tokens[token]));
                }
            }

            using (var parentTensor = tensor(parents.ToArray()))
            {
                state.Reorder(parentTensor);
            }

            using (var tokenTensor = tensor(tokens.ToArray()))
            {
                state.Append(tokenTensor);
            }

            rows = next;
        }

        Assert.Equal(law.Count, finished.Count);
        foreach (var (text, probability) in law)
        {
            Assert.Equal(probability, finished[text], Exact);
        }
    }

    [Fact]
    public void DecodeState_RejectsBadArguments()
    {
        using var model = TabularModels.Design();
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Start([[]], [1]));
        Assert.Throws<ArgumentException>(() => model.Start([[TabularModels.DesignEos]], [0]));
        using var state = model.Start([[]], [0, 0]);
        using var wrongLength = tensor(new long[] { 0 });
        Assert.Throws<ArgumentException>(() => state.Append(wrongLength));
        using var wrongType = tensor(new int[] { 0, 0 });
        Assert.Throws<ArgumentException>(() => state.Append(wrongType));
        using var outOfRange = tensor(new long[] { 0, 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => state.Reorder(outOfRange));
    }

    private static void AssertRow(Tensor logProbs, long row, double[] probabilities)
    {
        using var rowTensor = logProbs[row];
        var actual = rowTensor.data<double>().ToArray();
        Assert.Equal(probabilities.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(Math.Log(probabilities[i]), actual[i], Exact);
        }
    }
}
