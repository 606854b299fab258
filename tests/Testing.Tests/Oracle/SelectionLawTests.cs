using FsCheck;
using FsCheck.Fluent;
using Tts.Testing.Oracle;
using Outcome = Tts.Testing.Oracle.Outcome;

namespace Tts.Testing.Tests.Oracle;

/// <summary>
/// The closed forms of best-of-N, votes and rejection against brute force: every N-tuple of draws, its probability,
/// and the executor's rule applied to it literally (ties to the lowest index / the value seen first).
/// </summary>
public sealed class SelectionLawTests
{
    private static readonly string[] Texts = ["", "a", "bb", "ab", "ba"];

    private static Gen<(Distribution Law, int N)> Laws =>
        from size in Gen.Choose(1, 5)
        from weights in Gen.ArrayOf(Gen.Choose(1, 6), size)
        from n in Gen.Choose(1, 4)
        select (Distribution.FromMasses(weights.Select((w, i) => new KeyValuePair<Outcome, double>(new Outcome(Texts[i]), w))), n);

    private static Config Replayed(ulong seed) =>
        Config.QuickThrowOnFailure.WithReplay(seed, 0x9E3779B97F4A7C15UL).WithMaxTest(150).WithQuietOnSuccess(true);

    [Fact]
    public void OverLiveMembers_mixes_over_the_live_count()
    {
        // Members "a" w.p. 0.3, "b" 0.2, absent 0.5; sample over n = 2: none live w.p. 0.25, else the live law.
        var members = Distribution.FromProbabilities([new(new Outcome("a"), 0.3), new(new Outcome("b"), 0.2), new(Outcome.None, 0.5)]);

        var law = SelectionLaws.OverLiveMembers(members, 2, (live, _) => live, Outcome.None);

        Assert.Equal(0.25, law[Outcome.None], 12);
        Assert.Equal(0.75 * 0.6, law[new Outcome("a")], 12);
        Assert.Equal(0.75 * 0.4, law[new Outcome("b")], 12);
    }

    [Fact]
    public void BestOfN_IsTheBruteForceLaw()
    {
        static double Score(Outcome o) => ((string)o.Value!).Count(c => c == 'b') - (((string)o.Value!).Length == 0 ? double.NaN : 0);
        Prop.ForAll(Laws.ToArbitrary(), c =>
        {
            AssertSame(BruteForce(c.Law, c.N, draws =>
            {
                var best = 0;
                for (var i = 1; i < draws.Length; i++)
                {
                    if (Score(draws[i]) > (double.IsNaN(Score(draws[best])) ? double.NegativeInfinity : Score(draws[best])))
                    {
                        best = i;
                    }
                }

                return draws[best];
            }), SelectionLaws.BestOfN(c.Law, Score, c.N));
        }).Check(Replayed(81));
    }

    [Fact]
    public void Vote_AndWeightedVote_AreTheBruteForceLaws()
    {
        static Outcome Key(Outcome o) => new(((string)o.Value!).Length);
        static double Weight(Outcome o) => 1 + ((string)o.Value!).Count(c => c == 'a');
        Prop.ForAll(Laws.ToArbitrary(), c =>
        {
            AssertSame(BruteForce(c.Law, c.N, draws => Winner(draws, _ => 1.0)), SelectionLaws.Vote(c.Law, Key, c.N));
            AssertSame(BruteForce(c.Law, c.N, draws => Winner(draws, Weight)), SelectionLaws.WeightedVote(c.Law, Key, Weight, c.N));
        }).Check(Replayed(82));

        static Outcome Winner(Outcome[] draws, Func<Outcome, double> weight)
        {
            var totals = new Dictionary<Outcome, double>();
            var order = new List<Outcome>();
            foreach (var draw in draws)
            {
                var key = Key(draw);
                if (!totals.ContainsKey(key))
                {
                    order.Add(key);
                }

                totals[key] = totals.GetValueOrDefault(key) + weight(draw);
            }

            var winner = order[0];
            foreach (var key in order.Where(k => totals[k] > totals[winner]))
            {
                winner = key;
            }

            return winner;
        }
    }

    [Fact]
    public void Rejection_IsTheBruteForceLaw_WithAndWithoutFallback()
    {
        static bool Accept(Outcome o) => ((string)o.Value!).Contains('a', StringComparison.Ordinal);
        Prop.ForAll(Laws.ToArbitrary(), c =>
        {
            foreach (var fallback in new[] { Outcome.None, new Outcome("bb") })
            {
                AssertSame(BruteForce(c.Law, c.N, draws => draws.FirstOrDefault(Accept, fallback)), SelectionLaws.Rejection(c.Law, Accept, c.N, fallback));
            }
        }).Check(Replayed(83));
    }

    [Fact]
    public void Vote_ScalesToTheAbcModelsHundredTwentyOneTexts()
    {
        var law = DecodeLaw.SampleText(TestModels.Abc(), "", StepOptions.Default);
        var vote = SelectionLaws.Vote(law, o => o, 16);
        Assert.Equal(1.0, vote.Probabilities.Values.Sum(), 1e-9);
        Assert.True(vote.Probability("") > law.Probability(""), "the mode gains mass under a vote");
    }

    private static Distribution BruteForce(Distribution law, int n, Func<Outcome[], Outcome> select)
    {
        var outcomes = law.Outcomes.ToArray();
        var masses = new List<KeyValuePair<Outcome, double>>();
        var draws = new Outcome[n];
        Enumerate(0, 1.0);
        return Distribution.FromProbabilities(masses);

        void Enumerate(int index, double probability)
        {
            if (index == n)
            {
                masses.Add(new KeyValuePair<Outcome, double>(select(draws), probability));
                return;
            }

            foreach (var outcome in outcomes)
            {
                draws[index] = outcome;
                Enumerate(index + 1, probability * law[outcome]);
            }
        }
    }

    private static void AssertSame(Distribution expected, Distribution actual)
    {
        Assert.True(expected.TotalVariation(actual) < 1e-12, $"expected {expected}, got {actual}");
    }
}
