using FsCheck;
using FsCheck.Fluent;
using Tts.Language.Binding.Guarantees;
using Tts.Testing.Checking;
using Tts.Testing.Generators;
using Tts.Testing.Oracle;

namespace Tts.Testing.Tests.Properties;

/// <summary>
/// Issue 17, item 2, on random programs: a strategy draws q first and uses it as the prompt, as an option
/// (max_tokens), or as a called strategy's argument of a sample, best, vote, first or smc over the draws that share it.
/// The truth comes from the oracle with q fixed: the output law is Σ_v P(q = v)·law(given(v)), each law enumerated
/// with a known prompt, so this does not rely on the oracle's own handling of random inputs. The printed target is
/// the stated mixture Σ_v P(v)·target(given(v)); for smc written inline, whose particles are weighted, it is the
/// target of the whole path (q included), Σ_v P(v)·Z_v·target_v / Σ_v P(v)·Z_v, while through a call the printed
/// target is the callee's at each q, mixed by q's law, which the pooled runs converge to. An exact label (for smc, exact or consistent)
/// must mean the law equals that target to 1e-9; labels weaker than that must occur where the law differs from it.
/// It found that first(...) in a strategy called with a random argument was labelled exact (TV 0.0097 on case 14).
/// </summary>
[Trait("Category", Tts.TestSupport.TestCategories.Slow)]
public sealed class SharedInputProperties
{
    private enum Use
    {
        Prompt,
        Option,
        Argument,
    }

    private enum Reduce
    {
        Sample,
        Best,
        Vote,
        First,
        FirstWithFallback,
        Smc,
    }

    private sealed record SharedInputProgram(int DrawTokens, Use Use, Reduce Reduce, int Particles, int MaxTokens, string Letter)
    {
        /// <summary>The body that reads q: the same text in <c>given(q)</c> (q fixed) and after the draw in <c>generated</c>.</summary>
        private string Body
        {
            get
            {
                var letter = $"\"{Letter}\"";
                if (Reduce == Reduce.Smc)
                {
                    var prompt = Use == Use.Option ? "\"\"" : "q";
                    var weight = Use == Use.Option ? $"count(xs, {letter}) + len(q)" : $"count(xs, {letter})";
                    return $"    population xs = spawn({Particles}, prompt: {prompt})\n"
                           + $"    smc xs with steps <= {MaxTokens} {{\n"
                           + "        extend xs by policy(max_tokens: 1)\n"
                           + $"        factor xs += weight({weight} * 1.0)\n"
                           + "    }\n"
                           + "    return sample(xs)\n";
                }

                var decode = Use == Use.Option
                    ? $"sample policy(\"\", n: {Particles}, max_tokens: len(q) + {MaxTokens})"
                    : $"sample policy(q, n: {Particles}, max_tokens: {MaxTokens})";
                var selection = Reduce switch
                {
                    Reduce.Sample => "sample(xs)",
                    Reduce.Best => $"best(xs, by: count(xs, {letter}) - len(xs) / 10)",
                    Reduce.Vote => "vote(xs)",
                    Reduce.First => $"first(xs, where: contains(xs, {letter}))",
                    _ => $"first(xs, where: len(xs) >= 2, otherwise: {letter})",
                };
                return $"    population xs = {decode}\n    return {selection}\n";
            }
        }

        public string Source =>
            "model policy: lm\n\n"
            + "strategy draw(prompt: text = \"\") -> text {\n"
            + $"    population ds = sample policy(prompt, n: 1, max_tokens: {DrawTokens})\n"
            + "    return sample(ds)\n}\n\n"
            + "strategy given(q: text) -> text {\n" + Body + "}\n\n"
            + "strategy generated(prompt: text = \"\") -> text {\n"
            + $"    population ds = sample policy(prompt, n: 1, max_tokens: {DrawTokens})\n"
            + "    let q = sample(ds)\n"
            + (Use == Use.Argument ? "    return given(q)\n" : Body)
            + "}\n";

        public override string ToString() => Source;
    }

    private static Gen<SharedInputProgram> Programs(IReadOnlyList<string> letters) =>
        from drawTokens in Gen.Choose(1, 2)
        from use in Gen.Elements(Enum.GetValues<Use>())
        from reduce in Gen.Elements(Enum.GetValues<Reduce>())
        from particles in Gen.Choose(1, 3)
        from maxTokens in Gen.Choose(1, 3)
        from letter in Gen.Elements(letters.ToArray())
        select new SharedInputProgram(drawTokens, use, reduce, particles, maxTokens, letter);

    private static readonly Gen<(TabularModelSpec Model, SharedInputProgram Program)> Cases =
        from model in TabularModelGenerators.Model
        from program in Programs(model.Tokens.Take(model.Tokens.Count - 1).ToArray())
        select (model, program);

    private static Distribution Mixture(IEnumerable<(double Weight, Distribution Law)> parts) =>
        Distribution.FromMasses(parts.SelectMany(part => part.Law.Probabilities.Select(p => new KeyValuePair<Tts.Testing.Oracle.Outcome, double>(p.Key, part.Weight * p.Value))));

    [Fact]
    public void Labels_over_a_shared_random_input_agree_with_the_exact_law()
    {
        var strong = 0;
        var weakWhereTheLawDiffers = 0;
        var skipped = 0;
        Prop.ForAll(Cases.ToArbitrary(), pair =>
        {
            var (spec, program) = pair;
            var compilation = TestModels.Compile(program.Source);
            Assert.False(compilation.HasErrors, $"{string.Join("\n", compilation.Diagnostics)}\n{program}");
            var guarantee = compilation.Bound.FindStrategy("generated")!.Guarantee;
            var oracle = new ExactOracle(compilation.Bound, TestModels.Policy(spec.ToModel()));

            List<(double Probability, OracleResult Given)> given;
            try
            {
                given = oracle.Evaluate("draw").Output!.Probabilities
                    .Select(q => (Probability: q.Value, Given: oracle.Evaluate("given", new Dictionary<string, object> { ["q"] = (string)q.Key.Value! })))
                    .ToList();
            }
            catch (OracleException e) when (e.Message.Contains("ill-conditioned", StringComparison.Ordinal) || e.Message.Contains("no mass", StringComparison.Ordinal))
            {
                skipped++;
                return;
            }

            Distribution law, target;
            bool claimsTheTarget;
            if (program.Reduce == Reduce.Smc)
            {
                // The limit of the pooled runs: each run's weights are normalized given its q.
                law = Mixture(given.Select(g => (g.Probability, g.Given.Target!)));
                // Inline, the stated target is that of the whole path, q included; through a call, the callee's target
                // at each q ("..., where q = q, which follows ..."), mixed by q's law.
                target = program.Use == Use.Argument
                    ? law
                    : Mixture(given.Select(g => (g.Probability * Math.Exp(g.Given.LogEvidence!.Value), g.Given.Target!)));
                claimsTheTarget = guarantee.Level is Guarantee.Exact or Guarantee.Consistent;
            }
            else
            {
                var output = Mixture(given.Select(g => (g.Probability, g.Given.Output!)));
                if (output.Probabilities.Keys.All(o => o.IsNone) || given.All(g => g.Given.Target is null))
                {
                    // No draw can pass (whatever q is): there is no target to claim.
                    return;
                }

                // A rejection sampler without a fallback claims the law given that a draw passed.
                law = program.Reduce == Reduce.First ? output.Where(o => !o.IsNone) : output;
                target = Mixture(given.Where(g => g.Given.Target is not null).Select(g => (g.Probability, g.Given.Target!)));
                claimsTheTarget = guarantee.Level == Guarantee.Exact;
            }

            var distance = law.TotalVariation(target);
            var what = $"{program}\n{spec}\nlabel {guarantee.LevelName} ({guarantee.Reason}); law {law}; target {target}; TV {distance}";
            if (claimsTheTarget)
            {
                strong++;
                Assert.True(distance <= StrategyChecker.ExactTolerance, "labelled " + what);
            }
            else if (distance > StrategyChecker.ExactTolerance)
            {
                weakWhereTheLawDiffers++;
            }

            // Where the oracle enumerates the program with q random, it gives the same law as with q fixed.
            var direct = TryEvaluate(oracle);
            if (program.Reduce != Reduce.Smc && direct?.Output is { } mixture)
            {
                Assert.True(mixture.TotalVariation(Mixture(given.Select(g => (g.Probability, g.Given.Output!)))) <= StrategyChecker.ExactTolerance,
                    $"the oracle's law of the program differs from its law with q fixed, mixed\n{what}\noracle: {mixture}");
            }
        }).Check(ProperWeightingProperties.Replayed(120, 117));

        Assert.True(strong > 10 && weakWhereTheLawDiffers > 10 && skipped < 20,
            $"{strong} programs claimed their target, {weakWhereTheLawDiffers} labelled weaker where the law differs, {skipped} skipped");
    }

    private static OracleResult? TryEvaluate(ExactOracle oracle)
    {
        try
        {
            return oracle.Evaluate("generated");
        }
        catch (OracleException)
        {
            // A random option or argument: the oracle needs those fixed, which is what the property does through given(q).
            return null;
        }
    }
}
