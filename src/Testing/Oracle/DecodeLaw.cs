using Tts.Runtime.Models.Tabular;

namespace Tts.Testing.Oracle;

/// <summary>
/// Exact laws of decoding from a tabular model, by enumerating every token sequence: the text law of one
/// <c>sample</c> (a particle's continuation of its prompt), and the weighted step law of one <c>extend</c> inside an
/// <c>smc</c> block. Exponential in the number of tokens: for the tiny models tests use.
/// </summary>
public static class DecodeLaw
{
    /// <summary>More enumerated paths than this is refused: the model or the token limit is too large for the oracle.</summary>
    public const int MaxPaths = 2_000_000;

    /// <summary>
    /// The law of the text of <c>sample M(prompt, options)</c> (prompt excluded): tokens from the transformed law, with
    /// forbidden tokens masked and the rest renormalized at each step; a row ends at EOS, when a stop string appears
    /// (the text is cut before the earliest one), or after <c>max_tokens</c> tokens (EOS included).
    /// </summary>
    public static Distribution SampleText(TabularModel model, string prompt, StepOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var start = Start(model, prompt);
        var masses = new Dictionary<Outcome, double>();
        foreach (var (state, probability) in Step(model, start, options, renormalizeMask: true, cutAtStop: true))
        {
            var key = new Outcome(state.Text);
            masses[key] = masses.GetValueOrDefault(key) + probability;
        }

        return Distribution.FromProbabilities(masses);
    }

    public static ParticleState Start(TabularModel model, string prompt) => new(model.Encode(prompt), 0, "", false);

    /// <summary>
    /// Every way one step can continue <paramref name="state"/>, with its probability. With
    /// <paramref name="renormalizeMask"/> the forbidden tokens are removed and the rest renormalized (the law a masked
    /// sampler draws from); without it they simply get probability 0, so the probabilities sum to the allowed mass (the
    /// target of an smc step whose weight adds the log allowed mass back). With <paramref name="cutAtStop"/> the text is
    /// cut before the stop string (sample); without it the step's text runs through the token that completed it (extend).
    /// </summary>
    public static IReadOnlyList<(ParticleState State, double Probability)> Step(
        TabularModel model, ParticleState state, StepOptions options, bool renormalizeMask, bool cutAtStop)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<(ParticleState, double)>();
        if (state.Ended)
        {
            results.Add((state, 1.0));
            return results;
        }

        var stepStart = state.Text.Length;
        Walk(state, 0, 1.0);
        return results;

        void Walk(ParticleState current, int tokensThisStep, double probability)
        {
            if (results.Count > MaxPaths)
            {
                throw new OracleException($"more than {MaxPaths} token paths: the model or the token limit is too large for exact enumeration");
            }

            var law = Law(model, current, options, renormalizeMask);
            var eos = model.Vocabulary.EosId;
            for (var token = 0; token < law.Length; token++)
            {
                if (law[token] == 0.0)
                {
                    continue;
                }

                var p = probability * law[token];
                if (token == eos)
                {
                    results.Add((current with { Generated = current.Generated + 1, Ended = true }, p));
                    continue;
                }

                var next = current.Append(token, model.Vocabulary.Tokens[token]);
                var stop = EarliestStop(next.Text, options.Stop, stepStart);
                if (stop >= 0)
                {
                    results.Add((cutAtStop ? next with { Text = next.Text[..stop], Ended = true } : next, p));
                }
                else if (tokensThisStep + 1 >= options.MaxTokens)
                {
                    results.Add((cutAtStop ? next with { Ended = true } : next, p));
                }
                else
                {
                    Walk(next, tokensThisStep + 1, p);
                }
            }
        }
    }

    /// <summary>The next-token law of a particle: the model's row, transformed, then masked.</summary>
    private static double[] Law(TabularModel model, ParticleState state, StepOptions options, bool renormalizeMask)
    {
        var raw = model.NextTokenProbabilities(state.Context, state.Generated);
        var law = ReferenceTransform.Apply(raw, options.Sampling);
        if (options.Forbid.Count == 0)
        {
            return law;
        }

        var eos = model.Vocabulary.EosId;
        for (var token = 0; token < law.Length; token++)
        {
            if (token != eos && options.Forbid.Any(f => model.Vocabulary.Tokens[token].Contains(f, StringComparison.Ordinal)))
            {
                law[token] = 0.0;
            }
        }

        var allowed = law.Sum();
        if (!renormalizeMask)
        {
            return law;
        }

        if (allowed == 0.0)
        {
            throw new OracleException($"every token the sampler could draw after {Outcome(state.Text)} is forbidden");
        }

        return Array.ConvertAll(law, q => q / allowed);
    }

    private static string Outcome(string text) => new Outcome(text).ToString();

    /// <summary>The earliest position of any stop string that ends after <paramref name="from"/> (earlier text was already searched), or −1.</summary>
    private static int EarliestStop(string text, IReadOnlyList<string> stops, int from)
    {
        var earliest = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, Math.Max(0, from - stop.Length + 1), StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest))
            {
                earliest = at;
            }
        }

        return earliest;
    }
}
