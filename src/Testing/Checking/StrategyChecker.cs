using System.Globalization;
using Tts.Compiler.Driver;
using Tts.Compiler.Lowering;
using Tts.Execution;
using Tts.Language.Binding.Guarantees;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Semantics;
using Tts.Testing.Oracle;
using Tts.Testing.Statistics;

namespace Tts.Testing.Checking;

/// <summary>
/// Checks a strategy's claim (its inferred guarantee, or one given in <see cref="CheckSettings.Claim"/>) on small
/// tabular models, in two parts. The <b>claim check</b> is exact: the oracle's law of the output (for a rejection
/// sampler, given that a draw passed) must equal the target to 1e-9 when the claim is exact; when it is consistent
/// or heuristic the distance is reported. The <b>runtime check</b> is statistical: the executor's outputs over
/// independent runs are compared, by chi-square, with the oracle's exact output law (whatever the guarantee: a
/// best-of-N or a vote must follow its closed-form law too), or, where only the target is known (smc), a
/// chi-square on the same runs must not reject a law within the tolerance of the target. Where the oracle enumerates no output
/// law (search, race with several finishers, selections over weighted populations, a returned population), every
/// output must be reachable under the reference semantics, and the distance from the law of the particles a
/// heuristic selects from is reported as a DKW lower bound on total variation.
/// </summary>
public static class StrategyChecker
{
    /// <summary>Distance below which an exact claim holds (rounding of the enumeration).</summary>
    public const double ExactTolerance = 1e-9;

    /// <param name="runtimeModels">The models the executor runs with; by default the same tabular models the oracle reads.
    /// Tests pass other implementations here (e.g. a planted fault) to see the check refute them.</param>
    public static Verdict Check(
        Compilation compilation,
        string strategy,
        IReadOnlyDictionary<string, TabularModel> models,
        FunctionBindings? functions = null,
        IReadOnlyDictionary<string, object>? arguments = null,
        CheckSettings? settings = null,
        ModelBindings? runtimeModels = null)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        ArgumentNullException.ThrowIfNull(models);
        settings ??= new CheckSettings();
        functions ??= new FunctionBindings();
        if (compilation.HasErrors)
        {
            throw new OracleException("the program has errors");
        }

        var bound = compilation.Bound.FindStrategy(strategy) ?? throw new OracleException($"no strategy '{strategy}'");
        var filled = FillDefaults(bound, arguments);
        var oracle = new ExactOracle(compilation.Bound, models, functions).Evaluate(strategy, filled);
        var claim = settings.Claim ?? bound.Guarantee.Level;
        var reasons = new List<string>();

        // The claim check: exact arithmetic on the reference semantics.
        double? distance = null;
        string claimCheck;
        if (oracle.ClaimedPart is { } claimed && oracle.Target is { } target)
        {
            distance = claimed.TotalVariation(target);
            var inv = CultureInfo.InvariantCulture;
            claimCheck = claim == Guarantee.Heuristic
                ? string.Create(inv, $"heuristic claims nothing; for information, TV(output law, law of the particles it selects from) = {distance:G6}, exact over {claimed.Count} outcomes")
                : string.Create(inv, $"TV(output law, target) = {distance:G6}, computed exactly over {claimed.Count} outcomes");
            if (claim == Guarantee.Exact && distance > ExactTolerance)
            {
                reasons.Add(string.Create(inv, $"the exact output law is {distance:G6} away from the target in total variation (exact needs 0)"));
            }
        }
        else
        {
            claimCheck = oracle.OutputUnavailable is { } why ? $"output law not enumerated: {why}" : "no target to compare with (a heuristic strategy claims none)";
        }

        // The runtime check: the executor against the oracle.
        RuntimeCheck? runtime = null;
        string? skipped = null;
        var function = compilation.Optimized?.Find(strategy) is null ? null : StrategyProgram.From(compilation).Select(strategy);
        if (function is null)
        {
            skipped = $"the strategy cannot run yet: {Lowerer.Unsupported(bound, compilation.Bound)}";
        }
        else if (bound.Symbol.ReturnType.Kind == Semantics.TypeKind.Population)
        {
            // A population is returned as the texts of its live particles, without their weights: no law to compare,
            // but every particle must be one the reference semantics can produce.
            var particles = ExecuteParticles(function, filled, runtimeModels ?? Bind(models), functions, settings);
            runtime = oracle.Reachable is { } reachable
                ? WithinSupport(particles, reachable, null, settings, reasons, "particles (a population is returned without its weights: its law is not checked)")
                : null;
            skipped = runtime is null ? "the oracle knows no support of the particles" : null;
        }
        else if (oracle.Output is null && (oracle.Target is null || claim != Guarantee.Consistent))
        {
            // No law to compare with (search, race with several finishers, selections over weighted populations): the
            // outputs must lie in the reachable support, and their distance from the target is measured.
            if (oracle.Reachable is { } reachable)
            {
                var outputs = Execute(function, filled, runtimeModels ?? Bind(models), functions, settings);
                runtime = WithinSupport(outputs, reachable, oracle.Target, settings, reasons, "outputs");
            }
            else
            {
                skipped = "the oracle has neither an output law nor a support to compare with";
            }
        }
        else
        {
            var (planned, tolerance, against) = oracle.Output is { } law ? (law, 0.0, "the exact output law") : (oracle.Target!, settings.Tolerance, "the target");
            EnsurePowered(planned.Outcomes.Select(o => planned[o]).ToList(), settings.Runs, settings, tolerance, against);
            var bindings = runtimeModels ?? Bind(models);
            var outputs = Execute(function, filled, bindings, functions, settings);
            runtime = oracle.Output is { } output
                ? AgainstOutputLaw(outputs, output, settings, reasons, TemperatureAlternatives(compilation, strategy, models, functions, filled, output))
                : AgainstTarget(outputs, oracle.Target!, settings, reasons);
        }

        var targetText = bound.Guarantee.Level == Guarantee.Heuristic && claim != Guarantee.Heuristic
            ? "the law of the particles it selects from, as the claim would need"
            : bound.Guarantee.Target;
        return new Verdict(strategy, claim, targetText, distance, claimCheck, runtime, skipped, reasons.Count > 0, reasons);
    }

    /// <summary>Runs the executor <see cref="CheckSettings.Runs"/> times and counts the outputs.</summary>
    public static Dictionary<Outcome, long> Execute(
        CompiledStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, CheckSettings settings) =>
        Count(strategy, arguments, models, functions, settings, output => [new Outcome(output)]);

    /// <summary>Runs a population-valued strategy and counts every live particle of every run.</summary>
    public static Dictionary<Outcome, long> ExecuteParticles(
        CompiledStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, CheckSettings settings) =>
        Count(strategy, arguments, models, functions, settings, output => ((object[])output!).Select(particle => new Outcome(particle)));

    private static Dictionary<Outcome, long> Count(
        CompiledStrategy strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, CheckSettings settings,
        Func<object?, IEnumerable<Outcome>> outcomesOf)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var counts = new Dictionary<Outcome, long>();
        foreach (var result in strategy.Run(arguments, models, functions, new RunOptions(settings.Seed, settings.Runs) { MemoryLimitBytes = settings.MemoryLimit }, settings.Cancellation))
        {
            foreach (var outcome in outcomesOf(result.Output))
            {
                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            }
        }

        return counts;
    }

    /// <summary>
    /// Where the oracle knows no output law: every output must have positive probability under the reachable law (a
    /// hard check), and, with a <paramref name="target"/>, the DKW distance D to it gives a lower confidence bound on
    /// the total variation, TV ≥ D − ε(n, α), reported (a heuristic strategy's law is expected to differ).
    /// </summary>
    public static RuntimeCheck WithinSupport(
        IReadOnlyDictionary<Outcome, long> counts, Distribution reachable, Distribution? target, CheckSettings settings, List<string> reasons, string what)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(reachable);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(reasons);
        var n = counts.Values.Sum();
        var inv = CultureInfo.InvariantCulture;
        var outside = counts.Where(c => reachable[c.Key] == 0.0).ToList();
        if (outside.Count > 0)
        {
            var (outcome, count) = outside[0];
            reasons.Add($"the runtime returned {outcome} ({count} of {n} {what}), which the reference semantics cannot produce");
            return new RuntimeCheck("support check", "the reachable values", 0, null, null, null, settings.Alpha, n, null, settings.Beta, null, true, what);
        }

        string note;
        if (target is null)
        {
            note = string.Create(inv, $"{what}: {counts.Count} distinct values, all reachable (no law to compare with)");
        }
        else
        {
            var outcomes = target.Outcomes.Concat(counts.Keys.Where(k => target[k] == 0.0)).ToList();
            var d = Dkw.Distance(outcomes.Select(o => counts.GetValueOrDefault(o)).ToList(), outcomes.Select(o => target[o]).ToList());
            var lower = d - Dkw.Epsilon(n, settings.Alpha);
            note = lower > 0
                ? string.Create(inv, $"{what}: law differs from the law of the particles it selects from by TV ≥ {lower:G3} (DKW: D = {d:G4} − ε = {Dkw.Epsilon(n, settings.Alpha):G3}, confidence 1 − alpha)")
                : string.Create(inv, $"{what}: no difference from the law of the particles it selects from is shown (D = {d:G4} ≤ ε = {Dkw.Epsilon(n, settings.Alpha):G3})");
        }

        return new RuntimeCheck("support check", "the reachable values", 0, null, null, null, settings.Alpha, n, null, settings.Beta, null, false, note);
    }

    /// <summary>
    /// Chi-square of the outputs against the exact law (cells with expected count below 5 merged by the law alone),
    /// after a hard check that no output has probability 0. Reports the smallest TV deviation it catches with power
    /// 1 − β in every direction (<see cref="WorstCasePower"/>), and its power against each stated
    /// <paramref name="alternatives"/> (e.g. the law at a temperature 5% off).
    /// </summary>
    public static RuntimeCheck AgainstOutputLaw(
        IReadOnlyDictionary<Outcome, long> counts, Distribution law, CheckSettings settings, List<string> reasons, IReadOnlyList<Alternative>? alternatives = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(law);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(reasons);
        return SupportOrPointMass(counts, law, settings, reasons, "the exact output law", "the reference semantics") ?? PooledChiSquare(counts, law, settings, reasons, 0.0, alternatives, "the exact output law", (result, _, _) =>
            string.Create(CultureInfo.InvariantCulture,
                $"the runtime's outputs reject the exact output law: X² = {result.Statistic:G6}, df = {result.DegreesOfFreedom}, p = {result.PValue:G3} < alpha = {settings.Alpha:G3}"));
    }

    /// <summary>
    /// For a consistent strategy whose finite-N law is unknown: a chi-square of the runs against the target over the
    /// same pooled cells as <see cref="AgainstOutputLaw"/>, whose null allows the law a χ distance √Σ(q − p)²/p up to
    /// <see cref="CheckSettings.Tolerance"/> from the target (the noncentral chi-square with λ = n·tolerance²; χ ≥ 2·TV,
    /// so a law within the tolerance is within TV tolerance/2). Unlike the DKW distance over an ordering of the texts
    /// it replaced, it sees deviations whatever their signs' order. An output the target gives probability 0 fails.
    /// </summary>
    public static RuntimeCheck AgainstTarget(IReadOnlyDictionary<Outcome, long> counts, Distribution target, CheckSettings settings, List<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(reasons);
        var n = counts.Values.Sum();
        return SupportOrPointMass(counts, target, settings, reasons, "the target", "the target: no particle count reaches it") ?? PooledChiSquare(counts, target, settings, reasons, settings.Tolerance, null, "the target", (result, df, _) =>
        {
            // Consistency is a limit in the particle count, so a miss at a finite count says what would pass: the
            // largest χ distance the data reject at alpha (a lower confidence bound on the law's distance).
            var distance = LowerDistanceBound(result.Statistic, df, n, settings.Alpha);
            var tolerance = Math.Ceiling(distance * 100) / 100;
            return string.Create(CultureInfo.InvariantCulture,
                $"the runtime's outputs reject the target over {n} runs: X² = {result.Statistic:G6}, df = {df}, beyond what a χ distance of {settings.Tolerance:G3} (--tolerance) allows at alpha = {settings.Alpha:G3}: "
                + $"`consistent` reaches the target only as particles grow, and at this particle count the output law is still at least {distance:G3} from it in χ distance; "
                + $"it passes with more particles (raise the particle count with --set) or with --tolerance {tolerance:G3}");
        });
    }

    /// <summary>
    /// The hard part of a check: an output of probability 0 fails it; a law of one outcome needs nothing more. Null when
    /// the chi-square is to run.
    /// </summary>
    private static RuntimeCheck? SupportOrPointMass(
        IReadOnlyDictionary<Outcome, long> counts, Distribution law, CheckSettings settings, List<string> reasons, string against, string under)
    {
        var n = counts.Values.Sum();
        var outside = counts.Where(c => law[c.Key] == 0.0).ToList();
        if (outside.Count > 0)
        {
            var (outcome, count) = outside[0];
            reasons.Add($"the runtime returned {outcome} ({count} of {n} runs), which has probability 0 under {under}");
            return new RuntimeCheck("support check", against, 0, null, 0.0, null, settings.Alpha, n, null, settings.Beta, null, true);
        }

        return law.Outcomes.Count == 1
            ? new RuntimeCheck("support check", "a point mass", 0, null, 1.0, null, settings.Alpha, n, null, settings.Beta, null, false)
            : null;
    }

    private static RuntimeCheck PooledChiSquare(
        IReadOnlyDictionary<Outcome, long> counts, Distribution law, CheckSettings settings, List<string> reasons, double tolerance,
        IReadOnlyList<Alternative>? alternatives, string against, Func<ChiSquareResult, int, double, string> reason)
    {
        var n = counts.Values.Sum();
        var outcomes = law.Outcomes;
        var probabilities = outcomes.Select(o => law[o]).ToList();
        var merged = ChiSquare.MergedCellsFor(n, probabilities);
        var observed = ChiSquare.Pool(outcomes.Select(o => counts.GetValueOrDefault(o)).ToList(), merged, (a, b) => a + b);
        var cells = ChiSquare.Pool(probabilities, merged, (a, b) => a + b);
        if (cells.Count(p => p > 0) < 2)
        {
            throw new OracleException($"{n} runs are too few for a chi-square test of this law: every cell would be merged into one");
        }

        EnsurePowered(probabilities, n, settings, tolerance, against);
        var chi = ChiSquare.GoodnessOfFit(observed, cells);
        var df = chi.DegreesOfFreedom;
        var critical = WorstCasePower.Critical(df, n, settings.Alpha, tolerance);
        var pValue = ChiSquare.NoncentralUpperTail(df, n * tolerance * tolerance, chi.Statistic);
        var result = chi with { PValue = pValue };
        var rejected = chi.Statistic > critical;
        if (rejected)
        {
            reasons.Add(reason(result, df, critical));
        }

        var rest = merged.Any(m => m) ? merged.Select((m, k) => m ? probabilities[k] : 0.0).Sum() : (double?)null;
        var powers = (alternatives ?? [])
            .Select(a => new AlternativePower(a.Name, WorstCasePower.AgainstAlternative(
                probabilities, outcomes.Select(o => a.Law[o]).ToList(), a.Law.Outcomes.Where(o => law[o] == 0.0).Sum(o => a.Law[o]), n, settings.Alpha, tolerance)))
            .ToList();
        return new RuntimeCheck("chi-square", against, chi.Statistic, df, pValue, tolerance > 0 ? tolerance : null, settings.Alpha, n,
            WorstCasePower.SmallestDetectable(probabilities, n, settings.Alpha, settings.Beta, tolerance), settings.Beta, null, rejected)
        {
            Cells = cells.Count,
            RestMass = rest,
            Alternatives = powers,
        };
    }

    /// <summary>
    /// With <see cref="CheckSettings.SmallestDeviation"/> δ: throws <see cref="UnderpoweredCheckException"/>, naming the
    /// runs needed, unless <paramref name="n"/> runs catch every deviation of TV δ from the law with power 1 − β.
    /// </summary>
    public static void EnsurePowered(IReadOnlyList<double> probabilities, long n, CheckSettings settings, double tolerance, string against)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.SmallestDeviation is not { } delta || probabilities.Count(p => p > 0) < 2)
        {
            return;
        }

        var needed = WorstCasePower.RequiredRuns(probabilities, delta, settings.Alpha, settings.Beta, tolerance);
        if (needed is null || needed > n)
        {
            throw new UnderpoweredCheckException(string.Create(CultureInfo.InvariantCulture,
                $"{n} runs cannot catch every deviation of TV {delta:G3} from {against} at alpha {settings.Alpha:G3} with power {1 - settings.Beta:G4}: ")
                + (needed is { } required
                    ? string.Create(CultureInfo.InvariantCulture, $"{required} runs are needed (--runs {required})")
                    : string.Create(CultureInfo.InvariantCulture, $"no run count can (the tolerance {tolerance:G3} allows a χ distance of {2 * delta:G3})")));
        }
    }

    /// <summary>The largest χ distance τ whose null (λ = nτ²) the statistic still rejects at alpha; 0 when none.</summary>
    private static double LowerDistanceBound(double statistic, int df, long n, double alpha)
    {
        var low = 0.0;
        var high = Math.Sqrt(Math.Max(statistic, 1.0) / n) + 1.0;
        for (var i = 0; i < 60; i++)
        {
            var middle = 0.5 * (low + high);
            if (statistic > WorstCasePower.Critical(df, n, alpha, middle))
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>
    /// The laws of the same program with every sampling temperature multiplied by 0.95 and by 1.05: the alternative a
    /// user most often gets wrong, stated with the power the runs have against it. None when the program has no
    /// temperature to scale (the law does not move) or the oracle cannot enumerate the scaled program.
    /// </summary>
    public static IReadOnlyList<Alternative> TemperatureAlternatives(
        Compilation compilation, string strategy, IReadOnlyDictionary<string, TabularModel> models, FunctionBindings functions,
        IReadOnlyDictionary<string, object> arguments, Distribution law)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        ArgumentNullException.ThrowIfNull(law);
        var alternatives = new List<Alternative>();
        foreach (var scale in new[] { 0.95, 1.05 })
        {
            try
            {
                var scaled = new ExactOracle(compilation.Bound, models, functions) { TemperatureScale = scale }.Evaluate(strategy, arguments).Output;
                if (scaled is not null && scaled.TotalVariation(law) > ExactTolerance)
                {
                    alternatives.Add(new Alternative(string.Create(CultureInfo.InvariantCulture, $"temperature ×{scale:0.00}"), scaled));
                }
            }
            catch (OracleException)
            {
                // A top-p or min-p boundary the scaled temperature makes ill-conditioned: no figure for that scale.
            }
        }

        return alternatives;
    }

    private static ModelBindings Bind(IReadOnlyDictionary<string, TabularModel> models)
    {
        var bindings = new ModelBindings();
        foreach (var (name, model) in models)
        {
            bindings.Bind(name, model);
        }

        return bindings;
    }

    private static Dictionary<string, object> FillDefaults(Language.Binding.BoundTree.BoundStrategy strategy, IReadOnlyDictionary<string, object>? arguments)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var parameter in strategy.Symbol.Parameters)
        {
            if (arguments is not null && arguments.TryGetValue(parameter.Name, out var value))
            {
                values[parameter.Name] = value;
            }
            else
            {
                values[parameter.Name] = parameter.DefaultValue ?? throw new OracleException($"strategy '{strategy.Symbol.Name}' needs a value for parameter '{parameter.Name}'");
            }
        }

        return values;
    }
}
