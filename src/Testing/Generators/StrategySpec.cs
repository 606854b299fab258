using System.Globalization;

namespace Tts.Testing.Generators;

/// <summary>How a random strategy reduces its population.</summary>
public enum SelectionChoice
{
    Sample,
    Best,
    Vote,
    First,
    FirstWithFallback,
    SmcSample,

    /// <summary>Particle Gibbs: two sweeps of conditional smc (at most 2 particles and 2 steps), then <c>sample</c>.</summary>
    GibbsSample,

    /// <summary><c>adaptive_vote</c> over whole texts, drawing in waves and stopping once the vote is decided.</summary>
    AdaptiveVote,
}

/// <summary>
/// A random well-typed strategy over one model <c>policy</c>, as data FsCheck can shrink: decoding options, a
/// selection and the text expressions it uses. <see cref="Source"/> renders it as a .tts file, which goes through
/// the real front end.
/// </summary>
public sealed record StrategySpec(
    int Particles,
    double Temperature,
    int TopK,
    double TopP,
    int MaxTokens,
    string? Stop,
    SelectionChoice Selection,
    string Letter,
    int Steps = 3)
{
    public string Source
    {
        get
        {
            var inv = CultureInfo.InvariantCulture;
            var options = new List<string> { string.Create(inv, $"n: {Particles}"), string.Create(inv, $"temperature: {Temperature:0.0##}"), string.Create(inv, $"max_tokens: {MaxTokens}") };
            if (TopK > 0)
            {
                options.Add(string.Create(inv, $"top_k: {TopK}"));
            }

            if (TopP < 1.0)
            {
                options.Add(string.Create(inv, $"top_p: {TopP:0.0##}"));
            }

            if (Stop is not null)
            {
                options.Add($"stop: \"{Stop}\"");
            }

            var letter = $"\"{Letter}\"";
            if (Selection == SelectionChoice.SmcSample)
            {
                return $$"""
                    model policy: lm

                    strategy generated(prompt: text = "") -> text {
                        population xs = spawn({{Particles}}, prompt: prompt)
                        smc xs with resample = systematic, ess < 0.5, steps <= {{Steps}} {
                            extend xs by policy(max_tokens: 1, temperature: {{Temperature.ToString("0.0##", inv)}})
                            factor xs += weight(count(xs, {{letter}}))
                        }
                        return sample(xs)
                    }
                    """;
            }

            if (Selection == SelectionChoice.GibbsSample)
            {
                // The oracle enumerates every sweep's particle system: kept small.
                return $$"""
                    model policy: lm

                    strategy generated(prompt: text = "") -> text {
                        population xs = spawn({{Math.Min(Particles, 2)}}, prompt: prompt)
                        smc xs with resample = multinomial, steps <= {{Math.Min(Steps, 2)}}, iterations = 2 {
                            extend xs by policy(max_tokens: 1, temperature: {{Temperature.ToString("0.0##", inv)}})
                            factor xs += weight(count(xs, {{letter}}))
                        }
                        return sample(xs)
                    }
                    """;
            }

            if (Selection == SelectionChoice.AdaptiveVote)
            {
                options[0] = string.Create(inv, $"n: {Particles}, wave: {Math.Max(1, Particles / 2)}");
                return $$"""
                    model policy: lm

                    strategy generated(prompt: text = "") -> text {
                        return adaptive_vote(prompt, from: policy, {{string.Join(", ", options)}})
                    }
                    """;
            }

            var selection = Selection switch
            {
                SelectionChoice.Sample => "sample(xs)",
                SelectionChoice.Best => $"best(xs, by: count(xs, {letter}) - len(xs) / 10)",
                SelectionChoice.Vote => $"vote(xs, key: count(xs, {letter}))",
                SelectionChoice.First => $"first(xs, where: contains(xs, {letter}))",
                _ => $"first(xs, where: len(xs) >= 2, otherwise: {letter})",
            };
            var returns = Selection == SelectionChoice.Vote ? "int" : "text";
            return $$"""
                model policy: lm

                strategy generated(prompt: text = "") -> {{returns}} {
                    population xs = sample policy(prompt, {{string.Join(", ", options)}})
                    return {{selection}}
                }
                """;
        }
    }

    public override string ToString() => Source;
}
