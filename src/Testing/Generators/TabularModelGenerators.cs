using FsCheck;
using FsCheck.Fluent;

namespace Tts.Testing.Generators;

/// <summary>
/// FsCheck generators of small tabular models (vocabulary of 2 to 5 tokens EOS included, order 1 or 2, at most 5
/// tokens, random rows with some zeros and some contexts missing so lookups fall back to shorter suffixes), with a
/// shrinker towards fewer tokens, lower order, a smaller token limit and fewer rows.
/// </summary>
public static class TabularModelGenerators
{
    private static readonly string[] Letters = ["a", "b", "c", "d"];

    public static Gen<TabularModelSpec> Model { get; } =
        from letters in Gen.Choose(1, 4)
        from order in Gen.Choose(1, 2)
        from maxTokens in Gen.Choose(1, 5)
        from rows in RowsFor(Letters.Take(letters).ToArray(), order)
        select new TabularModelSpec([.. Letters.Take(letters), TabularModelSpec.Eos], order, maxTokens, rows);

    public static Arbitrary<TabularModelSpec> Arbitrary { get; } = Arb.From(Model, Shrink);

    /// <summary>Weights 0..4 per token, at least one positive; EOS gets weight ≥ 1 so every text can end before the limit.</summary>
    public static Gen<int[]> Row(int tokens) =>
        from weights in Gen.ArrayOf(Gen.Choose(0, 4), tokens - 1)
        from eos in Gen.Choose(1, 3)
        select (int[])[.. weights, eos];

    public static IEnumerable<TabularModelSpec> Shrink(TabularModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.MaxTokens > 1)
        {
            yield return model with { MaxTokens = model.MaxTokens - 1 };
        }

        if (model.Order > 1)
        {
            yield return model with { Order = 1, Rows = model.Rows.Where(r => !r.Key.Contains(' ', StringComparison.Ordinal)).ToDictionary(r => r.Key, r => r.Value) };
        }

        foreach (var key in model.Rows.Keys.Where(k => k.Length > 0))
        {
            yield return model with { Rows = model.Rows.Where(r => r.Key != key).ToDictionary(r => r.Key, r => r.Value) };
        }

        if (model.Tokens.Count > 2)
        {
            // Drop the last letter: from the vocabulary, every row, and every context that mentions it.
            var dropped = model.Tokens[^2];
            var tokens = model.Tokens.Where(t => t != dropped).ToList();
            var rows = model.Rows
                .Where(r => !r.Key.Split(' ').Contains(dropped))
                .ToDictionary(r => r.Key, r => r.Value.Where((_, i) => i != model.Tokens.Count - 2).ToArray());
            if (rows.Values.All(w => w.Sum() > 0))
            {
                yield return model with { Tokens = tokens, Rows = rows };
            }
        }
    }

    private static Gen<IReadOnlyDictionary<string, int[]>> RowsFor(string[] letters, int order)
    {
        var keys = letters.ToList();
        if (order == 2)
        {
            keys.AddRange(letters.SelectMany(a => letters.Select(b => $"{a} {b}")));
        }

        var tokens = letters.Length + 1;
        return from root in Row(tokens)
               from present in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false))), keys.Count)
               from rows in Gen.ArrayOf(Row(tokens), keys.Count)
               select (IReadOnlyDictionary<string, int[]>)keys.Select((k, i) => (k, i))
                   .Where(p => present[p.i])
                   .ToDictionary(p => p.k, p => rows[p.i])
                   .Append(new KeyValuePair<string, int[]>("", root))
                   .ToDictionary(p => p.Key, p => p.Value);
    }
}
