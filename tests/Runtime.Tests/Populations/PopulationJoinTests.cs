using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using Tts.Runtime.Tests.Models;
using Tts.Runtime.Tests.Models.Transformer;

namespace Tts.Runtime.Tests.Populations;

/// <summary>
/// Join then TakeDecodedRows (a fused decode): decoding several populations as one batch leaves each exactly as
/// decoding it alone would, and the batch takes fewer model steps.
/// </summary>
public sealed class PopulationJoinTests
{
    private const ulong Seed = 11;

    private static readonly DecodeOptions Options = new(new SamplingOptions(Temperature: 1.0), MaxTokens: 5, Stop: []);

    private static long[] Keys(Population population, int stream) =>
        Enumerable.Range(0, population.Rows)
            .Select(row => (long)CounterRandom.RowKey(Seed, population.RunOf(row), stream, population.ParticleOf(row)))
            .ToArray();

    private sealed class CountingMeter : IStepMeter
    {
        public int Steps { get; private set; }

        public void Step(int[] liveRowsPerRun) => Steps++;
    }

    /// <summary>The two populations the tests decode: 3 and 2 particles per run of 2 runs, shared and per-particle prefills.</summary>
    private static (Population First, Population Second) Start(ILanguageModel model) =>
        (Population.Start(model, ["a", "b"], 3), Population.Start(model, ["b", "ab"], 2, sharePrompt: false));

    private static (string[] Texts, int[] Lengths, bool[] Done, int Steps, long[] Tokens, double[] NextLogProbs) Snapshot(Population population)
    {
        using var logProbs = population.State.NextLogProbs();
        using var tokens = population.Tokens.narrow(1, 0, population.Steps).contiguous();
        return (population.Texts.ToArray(), population.Lengths.ToArray(), population.Done.ToArray(), population.Steps,
            tokens.data<long>().ToArray(), logProbs.data<double>().ToArray());
    }

    private static void AssertDecodedTogetherAsAlone(ILanguageModel model, double tolerance)
    {
        var (first, second) = Start(model);
        var (firstJoined, secondJoined) = Start(model);
        using var a = first;
        using var b = second;
        using var c = firstJoined;
        using var d = secondJoined;

        var alone = new CountingMeter();
        PopulationDecoder.Decode(first, DecodeRequest.AllRows(Options, Keys(first, 0)), alone, CancellationToken.None);
        PopulationDecoder.Decode(second, DecodeRequest.AllRows(Options, Keys(second, 1)), alone, CancellationToken.None);

        var parts = new[] { firstJoined, secondJoined };
        using var joined = Population.Join(parts, out var rows);
        Assert.Equal((2, 5), (joined.Runs, joined.ParticlesPerRun));
        Assert.Equal(new long[] { 0, 1, 2, 5, 6, 7 }, rows[0]);
        Assert.Equal(new long[] { 3, 4, 8, 9 }, rows[1]);
        var keys = new long[joined.Rows];
        for (var i = 0; i < parts.Length; i++)
        {
            var partKeys = Keys(parts[i], i);
            for (var row = 0; row < partKeys.Length; row++)
            {
                keys[rows[i][row]] = partKeys[row];
            }
        }

        var together = new CountingMeter();
        var outcome = PopulationDecoder.Decode(joined, DecodeRequest.AllRows(Options, keys), together, CancellationToken.None);
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i].TakeDecodedRows(joined, rows[i], rows[i].Max(row => outcome.FinishStep[row]) + 1);
        }

        foreach (var (expected, actual) in new[] { (Snapshot(first), Snapshot(firstJoined)), (Snapshot(second), Snapshot(secondJoined)) })
        {
            Assert.Equal(expected.Texts, actual.Texts);
            Assert.Equal(expected.Lengths, actual.Lengths);
            Assert.Equal(expected.Done, actual.Done);
            Assert.Equal(expected.Steps, actual.Steps);
            Assert.Equal(expected.Tokens, actual.Tokens);
            Assert.Equal(expected.NextLogProbs.Length, actual.NextLogProbs.Length);
            for (var j = 0; j < expected.NextLogProbs.Length; j++)
            {
                Assert.True(
                    expected.NextLogProbs[j] == actual.NextLogProbs[j] || Math.Abs(expected.NextLogProbs[j] - actual.NextLogProbs[j]) <= tolerance,
                    $"next-token log-probability {j}: {expected.NextLogProbs[j]} alone, {actual.NextLogProbs[j]} decoded together");
            }
        }

        Assert.Equal(Math.Max(first.Steps, second.Steps), together.Steps);
        Assert.True(together.Steps < alone.Steps, $"{together.Steps} steps together, {alone.Steps} alone");
    }

    [Fact]
    public void Decoding_joined_tabular_populations_leaves_each_exactly_as_decoding_it_alone()
    {
        using var model = TabularModels.Design();
        AssertDecodedTogetherAsAlone(model, tolerance: 0.0);
    }

    [Fact]
    public void Decoding_joined_transformer_populations_leaves_each_as_decoding_it_alone()
    {
        // The same rows in a larger batch: the same tokens, and next-token laws equal up to float32 batched arithmetic.
        using var model = TinyTransformers.Create();
        AssertDecodedTogetherAsAlone(model, tolerance: 1e-5);
    }

    [Fact]
    public void Join_rejects_populations_of_other_runs()
    {
        using var model = TabularModels.Design();
        using var two = Population.Start(model, ["a", "b"], 1);
        using var three = Population.Start(model, ["a", "b", "c"], 1);
        Assert.Throws<ArgumentException>(() => Population.Join([two, three], out _));
    }
}
