namespace Tts.Testing.Oracle;

/// <summary>
/// Closed-form laws of the selections over n i.i.d. particles (TESTING.md, "Formulas"), with the executor's tie
/// rules: best-of-N (ties to the lowest index; NaN never wins), majority and weighted vote (ties to the value seen
/// first) and rejection with a budget and a fallback.
/// </summary>
public static class SelectionLaws
{
    /// <summary>Compositions enumerated at most by <see cref="Vote"/> with weights.</summary>
    public const long MaxCompositions = 5_000_000;

    /// <summary>
    /// P(y) = p(y)/p(L_s)·[F(s)^N − F(s⁻)^N] with s = score(y), L_s its level set, F(s) = P(score ≤ s). NaN and −∞
    /// scores form the lowest level: such a particle wins only when every score is there, and then the first does.
    /// </summary>
    public static Distribution BestOfN(Distribution particles, Func<Outcome, double> score, int n)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var scored = particles.Probabilities.Select(p => (Outcome: p.Key, P: p.Value, Score: Level(score(p.Key)))).ToList();
        var levels = scored.GroupBy(s => s.Score).OrderBy(g => g.Key).ToList();
        var below = 0.0;
        var masses = new List<KeyValuePair<Outcome, double>>();
        foreach (var level in levels)
        {
            var levelMass = level.Sum(s => s.P);
            var atOrBelow = Math.Min(1.0, below + levelMass);
            var win = Math.Pow(atOrBelow, n) - Math.Pow(below, n);
            masses.AddRange(level.Select(s => new KeyValuePair<Outcome, double>(s.Outcome, win * s.P / levelMass)));
            below = atOrBelow;
        }

        return Distribution.FromMasses(masses);

        static double Level(double s) => double.IsNaN(s) ? double.NegativeInfinity : s;
    }

    /// <summary>
    /// A selection over n i.i.d. members of which each is absent (<see cref="Outcome.None"/>: a repeat member that gave
    /// no output, a dead particle the selection skips): the mixture over the live count m ~ Binomial(n, 1 − q) of
    /// <paramref name="law"/> over m i.i.d. draws of the live members' law; <paramref name="whenNoneLive"/> when m = 0.
    /// </summary>
    public static Distribution OverLiveMembers(Distribution particles, int n, Func<Distribution, int, Distribution> law, Outcome whenNoneLive)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(law);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var absent = particles[Outcome.None];
        if (absent == 0.0)
        {
            return law(particles, n);
        }

        var masses = new List<KeyValuePair<Outcome, double>> { new(whenNoneLive, Math.Pow(absent, n)) };
        if (absent < 1.0)
        {
            var live = particles.Where(o => !o.IsNone);
            var logChoose = 0.0;
            for (var m = 1; m <= n; m++)
            {
                logChoose += Math.Log(n - m + 1) - Math.Log(m);
                var weight = Math.Exp(logChoose + m * Math.Log(1.0 - absent) + (n - m) * Math.Log(absent));
                masses.AddRange(law(live, m).Probabilities.Select(p => new KeyValuePair<Outcome, double>(p.Key, weight * p.Value)));
            }
        }

        return Distribution.FromMasses(masses);
    }

    /// <summary>
    /// The law of <c>first(xs, where: accept, otherwise: fallback)</c> over n i.i.d. draws: with Z = Σ p·a,
    /// P(y) = (1 − (1 − Z)^n)·p(y)a(y)/Z + (1 − Z)^n·1{y = fallback}; without a fallback the run returns no output.
    /// </summary>
    public static Distribution Rejection(Distribution particles, Func<Outcome, bool> accept, int n, Outcome fallback)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var accepted = particles.Probabilities.Where(p => accept(p.Key)).ToList();
        var z = accepted.Sum(p => p.Value);
        var allFail = Math.Pow(1.0 - Math.Min(1.0, z), n);
        var masses = accepted.Select(p => new KeyValuePair<Outcome, double>(p.Key, (1.0 - allFail) * p.Value / z)).ToList();
        masses.Add(new KeyValuePair<Outcome, double>(fallback, allFail));
        return Distribution.FromMasses(masses);
    }

    /// <summary>
    /// The law of <c>vote(xs, key: k)</c> over n i.i.d. draws: the key with the largest count, ties to the key seen
    /// first. Given the counts every arrangement is equally likely, so among tied keys each wins with probability
    /// count / (total count of the tied keys) — 1/|ties| for a plain vote. Computed by dynamic programming over
    /// the multinomial counts (no enumeration of compositions), so it scales to hundreds of keys.
    /// </summary>
    public static Distribution Vote(Distribution particles, Func<Outcome, Outcome> key, int n)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (n > 150)
        {
            throw new OracleException($"vote over {n} particles: the oracle's multinomial sums overflow beyond 150");
        }

        var keys = particles.Map(v => key(new Outcome(v)).Value);
        var classes = keys.Outcomes.ToList();
        var pi = classes.Select(k => keys[k]).ToArray();
        var logFactorial = new double[n + 1];
        for (var i = 1; i <= n; i++)
        {
            logFactorial[i] = logFactorial[i - 1] + Math.Log(i);
        }

        var masses = new List<KeyValuePair<Outcome, double>>();
        for (var k = 0; k < classes.Count; k++)
        {
            var win = 0.0;
            for (var c = 1; c <= n; c++)
            {
                // ways[s, t]: Σ over counts of the other keys (each ≤ c, s in all, t of them equal to c) of Π π_j^{c_j} / c_j!.
                var maxTies = (n - c) / c;
                var ways = new double[n - c + 1, maxTies + 1];
                ways[0, 0] = 1.0;
                for (var j = 0; j < classes.Count; j++)
                {
                    if (j == k)
                    {
                        continue;
                    }

                    var next = new double[n - c + 1, maxTies + 1];
                    for (var s = 0; s <= n - c; s++)
                    {
                        for (var t = 0; t <= maxTies; t++)
                        {
                            if (ways[s, t] == 0.0)
                            {
                                continue;
                            }

                            for (var cj = 0; cj <= Math.Min(c, n - c - s); cj++)
                            {
                                var tie = cj == c ? 1 : 0;
                                if (t + tie > maxTies)
                                {
                                    continue;
                                }

                                next[s + cj, t + tie] += ways[s, t] * Math.Exp(cj * Math.Log(pi[j]) - logFactorial[cj]);
                            }
                        }
                    }

                    ways = next;
                }

                var own = Math.Exp(logFactorial[n] + c * Math.Log(pi[k]) - logFactorial[c]);
                for (var t = 0; t <= maxTies; t++)
                {
                    win += own * ways[n - c, t] / (t + 1);
                }
            }

            masses.Add(new KeyValuePair<Outcome, double>(classes[k], win));
        }

        return Distribution.FromProbabilities(masses);
    }

    /// <summary>
    /// The law of <c>vote(xs, key: k, weight: w)</c>: the key with the largest weight sum (NaN weights count 0), ties
    /// to the key seen first, which among tied keys is key k with probability (particles with key k) / (particles
    /// with a tied key). Enumerates the compositions of n over the distinct (key, weight) classes.
    /// </summary>
    public static Distribution WeightedVote(Distribution particles, Func<Outcome, Outcome> key, Func<Outcome, double> weight, int n)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var classes = particles.Probabilities
            .GroupBy(p => (Key: key(p.Key), Weight: Clean(weight(p.Key))))
            .Select(g => (g.Key.Key, g.Key.Weight, P: g.Sum(p => p.Value)))
            .ToArray();
        var compositions = Binomial(n + classes.Length - 1, classes.Length - 1);
        if (compositions > MaxCompositions)
        {
            throw new OracleException($"weighted vote: {compositions:N0} compositions of {n} particles over {classes.Length} (key, weight) classes is too many to enumerate");
        }

        var logFactorial = new double[n + 1];
        for (var i = 1; i <= n; i++)
        {
            logFactorial[i] = logFactorial[i - 1] + Math.Log(i);
        }

        var masses = new Dictionary<Outcome, double>();
        var counts = new int[classes.Length];
        Enumerate(0, n);
        return Distribution.FromProbabilities(masses);

        void Enumerate(int index, int left)
        {
            if (index == classes.Length - 1)
            {
                counts[index] = left;
                Score();
                return;
            }

            for (var c = 0; c <= left; c++)
            {
                counts[index] = c;
                Enumerate(index + 1, left - c);
            }
        }

        void Score()
        {
            var logP = logFactorial[n];
            for (var i = 0; i < classes.Length; i++)
            {
                if (counts[i] > 0)
                {
                    logP += counts[i] * Math.Log(classes[i].P) - logFactorial[counts[i]];
                }
            }

            var totals = new Dictionary<Outcome, (double Weight, int Count)>();
            for (var i = 0; i < classes.Length; i++)
            {
                if (counts[i] > 0)
                {
                    var (w, c) = totals.GetValueOrDefault(classes[i].Key);
                    totals[classes[i].Key] = (w + counts[i] * classes[i].Weight, c + counts[i]);
                }
            }

            var best = totals.Values.Max(t => t.Weight);
            // Sums that tie only up to rounding depend on the order of addition: the law is ill-conditioned there.
            if (totals.Values.Any(t => t.Weight != best && Math.Abs(t.Weight - best) <= 1e-9 * Math.Max(1.0, Math.Abs(best))))
            {
                throw new OracleException("weighted vote: two weight sums differ only by rounding, so the winner depends on the order of addition");
            }

            var tied = totals.Where(t => t.Value.Weight == best).ToList();
            var tiedCount = tied.Sum(t => t.Value.Count);
            var p = Math.Exp(logP);
            foreach (var (k, (_, c)) in tied)
            {
                masses[k] = masses.GetValueOrDefault(k) + p * c / tiedCount;
            }
        }

        static double Clean(double w) => double.IsNaN(w) ? 0.0 : w;
    }

    private static double Binomial(int n, int k)
    {
        var result = 1.0;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
