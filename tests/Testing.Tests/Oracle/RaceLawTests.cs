using Tts.Testing.Oracle;

namespace Tts.Testing.Tests.Oracle;

/// <summary>The oracle's law of a race with one finisher against brute force over every tuple of draws.</summary>
public sealed class RaceLawTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    public void FirstFinisher_IsTheBruteForceLaw(int k, int maxTokens)
    {
        var source = $$"""
            model policy: lm

            strategy s(prompt: text = "") -> text {
                population finished = race policy(prompt, n: {{k}}, max_tokens: {{maxTokens}}) first 1
                return sample(finished)
            }
            """;
        using var abc = TestModels.Abc();
        var oracle = new ExactOracle(TestModels.Compile(source).Bound, TestModels.Policy(abc)).Evaluate("s");

        // Every draw: (text, the 0-based step of the token that ended it); the kept draw has the smallest step, ties to the first.
        var draws = TokenPaths(abc, maxTokens).ToList();
        var brute = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tuple in Tuples(draws.Count, k))
        {
            var probability = tuple.Aggregate(1.0, (p, i) => p * draws[i].Probability);
            var winner = tuple.OrderBy(i => draws[i].Finish).First();
            brute[draws[winner].Text] = brute.GetValueOrDefault(draws[winner].Text) + probability;
        }

        Assert.Equal(brute.Count(b => b.Value > 0), oracle.Output!.Count);
        Assert.All(brute, b => Assert.Equal(b.Value, oracle.Output.Probability(b.Key), 1e-12));
        // A race of one is plain sampling; more racers favour short texts over the decoding law (heuristic).
        var distance = oracle.Output.TotalVariation(oracle.Target!);
        if (k == 1)
        {
            Assert.Equal(0.0, distance, 1e-12);
        }
        else
        {
            Assert.True(distance > 0.01, $"TV {distance}");
        }
    }

    /// <summary>Every token path of the model from the empty prompt, stopped at EOS or after maxTokens tokens.</summary>
    private static IEnumerable<(string Text, int Finish, double Probability)> TokenPaths(Runtime.Models.Tabular.TabularModel model, int maxTokens)
    {
        var eos = model.Vocabulary.EosId;
        var stack = new Stack<(int[] Context, string Text, int Generated, double P)>();
        stack.Push((model.Encode(""), "", 0, 1.0));
        while (stack.Count > 0)
        {
            var (context, text, generated, p) = stack.Pop();
            var row = model.NextTokenProbabilities(context, generated).ToArray();
            for (var token = 0; token < row.Length; token++)
            {
                if (row[token] == 0.0)
                {
                    continue;
                }

                var q = p * row[token];
                if (token == eos)
                {
                    yield return (text, generated, q);
                }
                else if (generated + 1 == maxTokens)
                {
                    yield return (text + model.Vocabulary.Tokens[token], generated, q);
                }
                else
                {
                    stack.Push(([.. context, token], text + model.Vocabulary.Tokens[token], generated + 1, q));
                }
            }
        }
    }

    private static IEnumerable<int[]> Tuples(int values, int length)
    {
        var tuple = new int[length];
        while (true)
        {
            yield return (int[])tuple.Clone();
            var position = length - 1;
            while (position >= 0 && ++tuple[position] == values)
            {
                tuple[position--] = 0;
            }

            if (position < 0)
            {
                yield break;
            }
        }
    }
}
