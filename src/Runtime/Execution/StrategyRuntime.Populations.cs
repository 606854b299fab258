using System.Globalization;
using TorchSharp;
using Tts.Runtime.Decoding;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Resampling;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

/// <summary>The decoding options of one instruction, one value per run (runs may differ: each decodes under its own).</summary>
public sealed record OptionValues(RunValues Temperature, RunValues TopK, RunValues TopP, RunValues MinP, RunValues MaxTokens, RunValues Stop, RunValues Forbid);

public sealed partial class StrategyRuntime
{
    /// <summary><c>spawn n</c> then prefill: a population of n particles per run continuing each run's prompt.</summary>
    public Population Prefill(RunValues count, string model, RunValues prompt, bool shared)
    {
        var n = CheckedParticleCount("n", (long)CheckOption(DecodeOptionRules.Count, count, SharedRun(DecodeOptionRules.Count, count)));

        var prompts = prompt.PerRun.Select((p, run) => p as string ?? throw new RuntimeException($"run {RunIndexOf(run)} has no prompt")).ToList();
        var population = Own(Population.Start(Models.Resolve(model), prompts, (int)Math.Min(int.MaxValue, n), shared));
        Meter.Call(Enumerable.Repeat(1, Runs).ToArray());
        return population;
    }

    /// <summary>A row's random key: its run, the stream, and its particle number (offset in a tree search's simulation).</summary>
    private uint RowKey(Population population, int row, int stream) => RowKey(population.RunOf(row), stream, population.ParticleNumberOf(row));

    /// <summary>
    /// Every row's key; inside an smc or search block, combined with the block step, so that each step draws afresh.
    /// </summary>
    private long[] RowKeys(Population population, int stream, int? blockStep = null)
    {
        var keys = new long[population.Rows];
        for (var row = 0; row < keys.Length; row++)
        {
            var key = RowKey(population, row, stream);
            keys[row] = blockStep is { } step ? CounterRandom.Combine(key, (uint)step) : key;
        }

        return keys;
    }

    /// <summary>Decodes every particle to its end (a <c>sample</c>), or, with <paramref name="first"/>, races them.</summary>
    public Population Decode(Population population, OptionValues options, int stream, RunValues? first = null)
    {
        var keys = RowKeys(population, stream);

        var firstCount = first is null ? (int?)null : LoopBound("first", first);
        if (firstCount < 1)
        {
            throw new RuntimeException($"race needs first of at least 1, but it is {firstCount}");
        }

        var request = new DecodeRequest(DecodeGroups(population, options, Enumerable.Repeat(true, population.Rows).ToArray()), keys, FirstFinished: firstCount);
        var outcome = PopulationDecoder.Decode(population, request, Meter, Cancellation);
        KillUnplaceable(population, outcome);
        if (firstCount is { } m)
        {
            KeepFirstFinished(population, outcome.FinishStep, Math.Min(m, population.ParticlesPerRun));
        }

        return population;
    }

    /// <summary>
    /// One step of an smc or search block for the particles taking part in it (live ones, or those the search chose):
    /// up to a stop string (kept), EOS or max_tokens. Weighted (smc): a mask's log allowed mass joins the weight.
    /// </summary>
    public Population Extend(Population population, OptionValues options, bool weighted, int stream, int blockStep)
    {
        var active = StepRows(population);
        var keys = RowKeys(population, stream, blockStep);

        var groups = DecodeGroups(population, options, active);
        MarkStep(population, active);
        var reference = _gibbsReferences.GetValueOrDefault(population);
        var priors = _stepLogPriors.GetValueOrDefault(population);
        var lengthsBefore = reference is null && priors is null ? null : (int[])population.Lengths.Clone();
        var outcome = PopulationDecoder.Decode(
            population, new DecodeRequest(groups, keys, KeepStop: true, Forced: reference?.Forced(population), TrackLogProbs: priors is not null), Meter, Cancellation);
        reference?.Advance(population, lengthsBefore!);
        if (priors is not null)
        {
            // A PUCT prior: the step's mean log-probability per token (a longer step is not penalized for its length).
            for (var row = 0; row < priors.Length; row++)
            {
                var taken = population.Lengths[row] - lengthsBefore![row];
                priors[row] = taken > 0 ? outcome.LogProbs![row] / taken : 0.0;
            }
        }
        if (groups.Any(g => g.Allowed is not null) && weighted)
        {
            Reweight(population, outcome.LogAllowedMass);
        }
        else
        {
            KillUnplaceable(population, outcome);
        }

        return population;
    }

    /// <summary><c>factor</c>, <c>observe</c> and <c>condition</c> on the particles of this step.</summary>
    public Population Reweight(Population population, ParticleUpdateKind kind, BatchValue value)
    {
        var rows = StepRows(population);
        var delta = new double[population.Rows];
        for (var row = 0; row < delta.Length; row++)
        {
            if (!rows[row])
            {
                continue;
            }

            var v = ValueAt(population, value, row);
            delta[row] = kind switch
            {
                ParticleUpdateKind.Condition => (bool)v ? 0.0 : double.NegativeInfinity,
                ParticleUpdateKind.Observe => Math.Log(ToDouble(v)),
                _ => ToDouble(v),
            };
            if (double.IsNaN(delta[row]) || double.IsPositiveInfinity(delta[row]))
            {
                throw new RuntimeException(
                    $"run {RunIndexOf(population.RunOf(row))}, particle {population.ParticleNumberOf(row)}: the {kind.ToString().ToLowerInvariant()} weight is {Constants.Format(delta[row])}");
            }
        }

        Reweight(population, delta);
        return population;
    }

    /// <summary><c>twist</c>: the weight gains ψ_t − ψ_(t−1) for the particles of this step.</summary>
    public Population Twist(Population population, BatchValue value)
    {
        var rows = StepRows(population);
        var delta = new double[population.Rows];
        for (var row = 0; row < delta.Length; row++)
        {
            if (!rows[row])
            {
                continue;
            }

            var psi = ToDouble(ValueAt(population, value, row));
            if (double.IsNaN(psi) || double.IsPositiveInfinity(psi))
            {
                throw new RuntimeException($"run {RunIndexOf(population.RunOf(row))}, particle {population.ParticleNumberOf(row)}: the twist is {Constants.Format(psi)}");
            }

            // A twist of −∞ kills the particle; it then holds no twist to remove.
            delta[row] = double.IsNegativeInfinity(psi) ? psi : psi - population.Twists[row];
            population.Twists[row] = double.IsNegativeInfinity(psi) ? 0.0 : psi;
        }

        Reweight(population, delta);
        return population;
    }

    /// <summary><c>score</c> in search: the rank of the step's children.</summary>
    public Population Score(Population population, BatchValue value)
    {
        var rows = StepRows(population);
        for (var row = 0; row < population.Rows; row++)
        {
            if (rows[row])
            {
                var score = ToDouble(ValueAt(population, value, row));
                population.Scores[row] = double.IsNaN(score)
                    ? throw new RuntimeException($"run {RunIndexOf(population.RunOf(row))}, particle {population.ParticleNumberOf(row)}: the score is NaN")
                    : score;
            }
        }

        return population;
    }

    /// <summary>
    /// Resamples every run, or with <paramref name="ess"/> those whose ESS fell below ess·N; with
    /// <paramref name="temper"/> = f, each run that resamples first tempers its weights (<see cref="EntropicTempering"/>).
    /// In a particle Gibbs sweep the resampling is conditional: particle 0, the reference, keeps its own ancestor.
    /// </summary>
    public Population Resample(Population population, ResampleMethod method, RunValues? ess, int stream, int blockStep, RunValues? temper = null)
    {
        var resampler = Resampler.ByName(method.ToString().ToLowerInvariant());
        using var scope = torch.NewDisposeScope();
        var keys = torch.tensor(Enumerable.Range(0, Runs).Select(run => (long)RowKey(run, stream, Resampler.ResamplingParticle)).ToArray(), ScalarType.Int64);
        var keepFirst = _gibbsReferences.ContainsKey(population);
        Tensor? selected = null;
        if (ess is not null)
        {
            var threshold = ToDouble(ess[0]!);
            if (!(threshold >= 0.0 && threshold <= 1.0))
            {
                throw new RuntimeException($"ess must be in [0, 1] (a fraction of the particles), but it is {Constants.Format(threshold)}");
            }

            selected = WeightMath.EssBelow(population.LogWeights.reshape(Runs, population.ParticlesPerRun), threshold);
        }

        if (temper is not null)
        {
            TemperWeights(population, ToDouble(temper[0]!), selected?.data<bool>().ToArray());
        }

        population.Resample(resampler, keys, blockStep, selected, keepFirst);
        return population;
    }

    /// <summary>Multiplies the log-weights of every run that resamples by its <see cref="EntropicTempering.Beta"/>.</summary>
    private void TemperWeights(Population population, double fraction, bool[]? resampling)
    {
        if (!(fraction > 0.0 && fraction <= 1.0))
        {
            throw new RuntimeException($"temper must be in (0, 1] (the ESS to reach, as a fraction of the particles), but it is {Constants.Format(fraction)}");
        }

        var n = population.ParticlesPerRun;
        var weights = population.LogWeights.data<double>().ToArray();
        var betas = new double[Runs];
        for (var run = 0; run < Runs; run++)
        {
            betas[run] = resampling is null || resampling[run] ? EntropicTempering.Beta(new ArraySegment<double>(weights, run * n, n), fraction) : 1.0;
        }

        if (betas.Any(b => b != 1.0))
        {
            population.Temper(betas);
        }
    }

    /// <summary>
    /// The smc loop: the body runs once per step on the live particles, until <paramref name="steps"/> steps or none is
    /// live; then every particle's twist leaves its weight.
    /// </summary>
    public Population Smc(Population population, RunValues steps, Func<int, Population, Population> body) =>
        Sweep(population, LoopBound("steps", steps), 0, body);

    /// <summary>One pass of the smc loop; the body sees step numbers from <paramref name="firstStep"/> (its random keys).</summary>
    private Population Sweep(Population population, int limit, int firstStep, Func<int, Population, Population> body)
    {
        for (var step = 0; step < limit; step++)
        {
            var live = population.Live();
            if (!live.Any(l => l))
            {
                break;
            }

            _stepRows[population] = live;
            population = body(checked(firstStep + step), population);
            _stepRows.Remove(population);
            _stepMarks.Remove(population);
        }

        if (population.Twists.Any(t => t != 0.0))
        {
            var removal = Array.ConvertAll(population.Twists, t => -t);
            Array.Clear(population.Twists);
            Reweight(population, removal);
        }

        return population;
    }

    /// <summary>The search loop (<see cref="Compiler.IR.IrSearch"/>).</summary>
    public Population Search(
        Population population, SearchMethod method, RunValues width, RunValues expand, RunValues groups, RunValues steps, Func<int, Population, Population> body,
        RunValues? explore = null)
    {
        if (method is SearchMethod.Mcts or SearchMethod.Puct)
        {
            return Mcts(population, LoopBound("expand", expand), explore is null ? 1.0 : ToDouble(explore[0]!), LoopBound("steps", steps), body, method == SearchMethod.Puct);
        }

        var (w, k) = (LoopBound("width", width), LoopBound("expand", expand));
        var g = method == SearchMethod.DiverseBeam ? LoopBound("groups", groups) : 1;
        if (w < 1 || k < 1 || g < 1)
        {
            throw new RuntimeException($"search needs width, expand and groups of at least 1, but they are {w}, {k} and {g}");
        }

        if (g > 1)
        {
            // Diverse search: g copies of the start, each an independent subtree in a contiguous block of rows.
            var perRun = population.ParticlesPerRun;
            population.Gather(Enumerable.Range(0, Runs).SelectMany(run => Enumerable.Range(0, g).SelectMany(_ => Enumerable.Range(run * perRun, perRun)))
                .Select(r => (long)r).ToArray(), checked(perRun * g));
        }

        var limit = LoopBound("steps", steps);
        for (var step = 0; step < limit; step++)
        {
            var live = population.Live();
            if (!live.Any(l => l))
            {
                break;
            }

            _stepRows[population] = method == SearchMethod.BestFirst ? ExpandBest(population, live, k) : ExpandAll(population, live, k);
            population = body(step, population);
            _stepRows.Remove(population);
            KeepBest(population, method == SearchMethod.BestFirst ? 1 : g, w);
        }

        return population;
    }

    /// <summary>
    /// Beam and diverse: every node gets k children; an ended node stays one node, its other k − 1 copies are
    /// discarded padding (dead, so a vote or pick after the search does not count it k times).
    /// </summary>
    private static bool[] ExpandAll(Population population, bool[] live, int k)
    {
        population.Fork(k);
        var active = new bool[population.Rows];
        var padding = new List<int>();
        for (var row = 0; row < active.Length; row++)
        {
            var parent = row / k;
            active[row] = live[parent];
            if (!live[parent] && row % k != 0)
            {
                population.Scores[row] = double.NegativeInfinity;
                padding.Add(row);
            }
        }

        population.Discard(padding);
        return active;
    }

    /// <summary>
    /// Best-first: the best live node of each run's frontier (ties to the lower row) is replaced by its k children, which
    /// follow the run's other nodes, so each node is expanded once. Every run must hold the same number of rows: one with
    /// nothing live keeps its nodes and k − 1 discarded copies of its first (dead padding).
    /// </summary>
    private bool[] ExpandBest(Population population, bool[] live, int k)
    {
        var n = population.ParticlesPerRun;
        var rows = new List<long>();
        var active = new List<bool>();
        for (var run = 0; run < Runs; run++)
        {
            var best = -1;
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if (live[row] && (best < 0 || population.Scores[row] > population.Scores[best]))
                {
                    best = row;
                }
            }

            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if (row != best)
                {
                    rows.Add(row);
                    active.Add(false);
                }
            }

            for (var child = best < 0 ? 1 : 0; child < k; child++)
            {
                rows.Add(best < 0 ? run * n : best);
                active.Add(best >= 0);
            }
        }

        var perRun = n - 1 + k;
        population.Gather(rows.ToArray(), perRun);
        var activeRows = active.ToArray();
        var padding = new List<int>();
        for (var row = 0; row < activeRows.Length; row++)
        {
            if (!activeRows[row] && row % perRun >= n)
            {
                population.Scores[row] = double.NegativeInfinity;
                padding.Add(row);
            }
        }

        population.Discard(padding);

        return activeRows;
    }

    /// <summary>Keeps, in each of the g contiguous groups of every run, the w nodes with the best score (dead ones last), in row order.</summary>
    private static void KeepBest(Population population, int g, int w)
    {
        var n = population.ParticlesPerRun;
        var groupSize = n / g;
        var keep = Math.Min(w, groupSize);
        var dead = population.Dead();
        var rows = new List<long>();
        for (var start = 0; start < population.Rows; start += groupSize)
        {
            rows.AddRange(Best(Enumerable.Range(start, groupSize), row => dead[row] ? double.NegativeInfinity : population.Scores[row], keep).Order());
        }

        population.Gather(rows.ToArray(), keep * g);
    }

    /// <summary><c>rank(xs, by: s, top: k)</c>: a new population of the k best particles of each run (dead ones last).</summary>
    public Population Rank(Population population, BatchValue key, RunValues top)
    {
        var n = population.ParticlesPerRun;
        var k = (int)Math.Min(n, LoopBound("top", top));
        if (k < 1)
        {
            throw new RuntimeException($"rank needs top of at least 1, but it is {k}");
        }

        var dead = population.Dead();
        var rows = new List<long>();
        for (var run = 0; run < Runs; run++)
        {
            rows.AddRange(Best(Enumerable.Range(run * n, n), row => dead[row] ? double.NegativeInfinity : NanLast(ToDouble(ValueAt(population, key, row))), k));
        }

        return Own(population.Copy(rows.ToArray(), k));
    }

    /// <summary>The <paramref name="k"/> rows with the largest key, best first; ties to the lower row.</summary>
    private static IEnumerable<long> Best(IEnumerable<int> rows, Func<int, double> key, int k) =>
        rows.OrderByDescending(key).ThenBy(row => row).Take(k).Select(row => (long)row);

    private static double NanLast(double value) => double.IsNaN(value) ? double.NegativeInfinity : value;

    private bool[] StepRows(Population population) => _stepRows.TryGetValue(population, out var rows) ? rows : population.Live();

    private static object ValueAt(Population population, BatchValue value, int row) =>
        (value is ParticleValues perParticle ? perParticle.PerRow[row] : PerRunOf(value)[population.RunOf(row)])
            ?? throw new RuntimeException($"run {population.RunOf(row)} has no value here");

    private static void Reweight(Population population, double[] delta)
    {
        if (delta.All(d => d == 0.0))
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        population.Reweight(torch.tensor(delta, ScalarType.Float64));
    }

    /// <summary>A row whose mask left no token with mass cannot continue: it dies.</summary>
    private static void KillUnplaceable(Population population, DecodeOutcome outcome)
    {
        if (outcome.LogAllowedMass.Any(double.IsNegativeInfinity))
        {
            Reweight(population, Array.ConvertAll(outcome.LogAllowedMass, m => double.IsNegativeInfinity(m) ? m : 0.0));
        }
    }

    private static void KeepFirstFinished(Population population, int[] finishStep, int m)
    {
        var n = population.ParticlesPerRun;
        var rows = Enumerable.Range(0, population.Runs).SelectMany(run => Enumerable.Range(run * n, n)
                .Where(row => finishStep[row] >= 0)
                .OrderBy(row => finishStep[row])
                .ThenBy(row => row)
                .Take(m))
            .Select(row => (long)row)
            .ToArray();
        population.Gather(rows, m);
    }

    /// <summary>
    /// The decode groups of <paramref name="rows"/>: each run's options and forbid mask, runs with equal ones together.
    /// Options are values of the run (a temperature computed from a per-run argument differs between runs), so a run
    /// decodes under its own options whatever it is batched with.
    /// </summary>
    private List<DecodeGroup> DecodeGroups(Population population, OptionValues options, bool[] rows)
    {
        var groups = new List<DecodeGroup>();
        var groupOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var maskOfForbid = new Dictionary<string, bool[]?>(StringComparer.Ordinal);
        var groupOfRun = new int[population.Runs];
        for (var run = 0; run < population.Runs; run++)
        {
            var decodeOptions = DecodeOptionsOf(options, run);
            var forbid = Strings(CheckOption(DecodeOptionRules.Forbid, options.Forbid, run));
            var forbidKey = Key(forbid);
            if (!maskOfForbid.TryGetValue(forbidKey, out var allowed))
            {
                allowed = AllowedTokens(population.Model.Vocabulary, forbid);
                maskOfForbid.Add(forbidKey, allowed);
            }

            var key = string.Join("\u0001", decodeOptions.Sampling, decodeOptions.MaxTokens, Key(decodeOptions.Stop), forbidKey);
            if (!groupOfKey.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groupOfKey.Add(key, group);
                groups.Add(new DecodeGroup(decodeOptions, allowed, new bool[population.Rows]));
            }

            groupOfRun[run] = group;
        }

        for (var row = 0; row < population.Rows; row++)
        {
            groups[groupOfRun[population.RunOf(row)]].Rows[row] = rows[row];
        }

        return groups;

        static string Key(IEnumerable<string> strings) => string.Join("\u0000", strings.Select(s => s.Length.ToString(CultureInfo.InvariantCulture) + ":" + s));
    }

    private DecodeOptions DecodeOptionsOf(OptionValues options, int run)
    {
        var temperature = ToDouble(CheckOption(DecodeOptionRules.Temperature, options.Temperature, run));
        var topK = (long)CheckOption(DecodeOptionRules.TopK, options.TopK, run);
        var topP = ToDouble(CheckOption(DecodeOptionRules.TopP, options.TopP, run));
        var minP = ToDouble(CheckOption(DecodeOptionRules.MinP, options.MinP, run));
        var maxTokens = (long)CheckOption(DecodeOptionRules.MaxTokens, options.MaxTokens, run);
        var stop = Strings(CheckOption(DecodeOptionRules.Stop, options.Stop, run));
        return new DecodeOptions(new SamplingOptions(temperature, (int)Math.Min(topK, int.MaxValue), topP, minP), (int)Math.Min(maxTokens, int.MaxValue), stop);
    }

    /// <summary>The [vocabulary] mask of tokens whose text contains no forbidden string; null when nothing is forbidden.</summary>
    private static bool[]? AllowedTokens(Models.Vocabulary vocabulary, List<string> forbid) =>
        forbid.Count == 0
            ? null
            : Enumerable.Range(0, vocabulary.Count)
                .Select(id => id == vocabulary.EosId || !forbid.Any(f => vocabulary.Tokens[id].Contains(f, StringComparison.Ordinal)))
                .ToArray();

    private static List<string> Strings(object value) => value is string one ? [one] : ((object[])value).Cast<string>().ToList();

    /// <summary>Run <paramref name="run"/>'s value of an option, checked; the message names the run when runs differ in it.</summary>
    private object CheckOption(string name, RunValues values, int run)
    {
        var value = values[run] ?? throw new RuntimeException($"run {RunIndexOf(run)} has no value for '{name}'");
        if (DecodeOptionRules.Check(name, value) is not { } expectation)
        {
            return value;
        }

        var where = values.PerRun.All(v => Equals(v, value)) ? "" : $"run {RunIndexOf(run)}: ";
        throw new RuntimeException($"{where}'{name}' must be {expectation}, but it is {DecodeOptionRules.FormatValue(value)}");
    }

    /// <summary>
    /// A value that shapes the population (particle count, loop bound, width): the runs of a batch move as one
    /// population, so they must agree on it. Returns the run to read it from once they do (run 0).
    /// </summary>
    private int SharedRun(string name, RunValues values)
    {
        for (var run = 1; run < values.Count; run++)
        {
            if (!Equals(values[run], values[0]))
            {
                throw new RuntimeException(
                    $"'{name}' is {Describe(values[0])} in run {RunIndexOf(0)} but {Describe(values[run])} in run {RunIndexOf(run)}: the runs of one " +
                    "batch must agree on it, as it shapes their population; run them in separate batches");
            }
        }

        return 0;

        static string Describe(object? value) => value is null ? "missing" : DecodeOptionRules.FormatValue(value);
    }

    /// <summary>Particles one population may hold per run: a larger count is refused before any memory is taken for it.</summary>
    public const long MaxParticlesPerRun = 1 << 20;

    private long CheckedParticleCount(string name, long count)
    {
        if (count > MaxParticlesPerRun || count * (long)Runs > 16 * MaxParticlesPerRun)
        {
            throw new RuntimeException($"{name} = {count} particles per run ({Runs} runs) is more than the runtime holds ({MaxParticlesPerRun} per run, {16 * MaxParticlesPerRun} in a batch)");
        }

        return count;
    }

    private int LoopBound(string name, RunValues value)
    {
        var bound = value.Int(SharedRun(name, value), name);
        if (bound < 0)
        {
            throw new RuntimeException($"'{name}' must be at least 0, but it is {bound}");
        }

        return (int)Math.Min(int.MaxValue, bound);
    }
}
