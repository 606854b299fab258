using FsCheck;
using FsCheck.Fluent;

namespace Tts.Testing.Generators;

/// <summary>
/// FsCheck generators of random well-typed strategies (<see cref="StrategySpec"/>) with a shrinker towards one
/// particle, default options and plain sampling, and of (model, strategy) pairs for whole-program properties.
/// </summary>
public static class StrategyGenerators
{
    public static Gen<StrategySpec> Strategy(IReadOnlyList<string> letters) =>
        from particles in Gen.Choose(1, 4)
        from temperature in Gen.Elements(1.0, 1.0, 0.5, 2.0, 0.0)
        from topK in Gen.Elements(0, 0, 1, 2)
        from topP in Gen.Elements(1.0, 1.0, 0.9, 0.6)
        from maxTokens in Gen.Choose(1, 5)
        from stop in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Elements(letters.ToArray()).Select(s => (string?)s)))
        from selection in Gen.Elements(Enum.GetValues<SelectionChoice>())
        from letter in Gen.Elements(letters.ToArray())
        from steps in Gen.Choose(1, 4)
        select new StrategySpec(particles, temperature, topK, topP, maxTokens, stop, selection, letter, steps);

    /// <summary>A random model and a random strategy over its letters.</summary>
    public static Gen<(TabularModelSpec Model, StrategySpec Strategy)> ModelAndStrategy { get; } =
        from model in TabularModelGenerators.Model
        from strategy in Strategy(model.Tokens.Take(model.Tokens.Count - 1).ToArray())
        select (model, strategy);

    public static Arbitrary<(TabularModelSpec Model, StrategySpec Strategy)> Arbitrary { get; } = Arb.From(ModelAndStrategy, Shrink);

    public static IEnumerable<(TabularModelSpec, StrategySpec)> Shrink((TabularModelSpec Model, StrategySpec Strategy) pair)
    {
        var (model, strategy) = pair;
        foreach (var smaller in ShrinkStrategy(strategy))
        {
            yield return (model, smaller);
        }

        foreach (var smaller in TabularModelGenerators.Shrink(model).Where(m => m.Tokens.Contains(strategy.Letter) && (strategy.Stop is null || m.Tokens.Contains(strategy.Stop))))
        {
            yield return (smaller, strategy);
        }
    }

    public static IEnumerable<StrategySpec> ShrinkStrategy(StrategySpec strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (strategy.Particles > 1)
        {
            yield return strategy with { Particles = strategy.Particles - 1 };
        }

        if (strategy.Selection != SelectionChoice.Sample)
        {
            yield return strategy with { Selection = SelectionChoice.Sample };
        }

        if (strategy.Temperature != 1.0)
        {
            yield return strategy with { Temperature = 1.0 };
        }

        if (strategy.TopK != 0)
        {
            yield return strategy with { TopK = 0 };
        }

        if (strategy.TopP != 1.0)
        {
            yield return strategy with { TopP = 1.0 };
        }

        if (strategy.Stop is not null)
        {
            yield return strategy with { Stop = null };
        }

        if (strategy.MaxTokens > 1)
        {
            yield return strategy with { MaxTokens = strategy.MaxTokens - 1 };
        }

        if (strategy.Steps > 1)
        {
            yield return strategy with { Steps = strategy.Steps - 1 };
        }
    }
}
