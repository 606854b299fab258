using System.Globalization;
using Tts.Runtime.Randomness;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

/// <summary>
/// The operations a strategy is made of, for one batch of runs executed together: both back ends call these — the IR
/// executor (an interpreter) and the C# the emitter writes — so the two agree by construction. Values are
/// <see cref="BatchValue"/>s: <see cref="RunValues"/> (one per run; null: the run has no value),
/// <see cref="ParticleValues"/> or a <see cref="Populations.Population"/>. Randomness is keyed by (seed, run index, stream, particle, step): a run's
/// draws do not depend on what else is in the batch.
/// </summary>
public sealed partial class StrategyRuntime : IDisposable
{
    private readonly int[] _runIndices;

    // The run (as RunResult.Run numbers it) each run of this batch belongs to: itself at the top, the parent run for a
    // repeat member or refine round. Rewards and verifiers learn it through FunctionCallContext.
    private readonly int[] _topRuns;
    private readonly Func<int, int> _streams;
    private readonly List<Populations.Population> _owned;
    private readonly Dictionary<Populations.Population, bool[]> _stepRows;

    /// <summary>Which reward gave a value (so a later log of it can name the reward).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<BatchValue, string> _rewardOf = new();

    private StrategyRuntime(
        ModelBindings models, FunctionBindings functions, ulong seed, int[] runIndices, int[] topRuns, Func<int, int> streams, SpendMeter meter,
        CancellationToken cancellation, List<Populations.Population> owned, Dictionary<Populations.Population, bool[]> stepRows)
    {
        _topRuns = topRuns;
        Models = models;
        Functions = functions;
        Seed = seed;
        _runIndices = runIndices;
        _streams = streams;
        Meter = meter;
        Cancellation = cancellation;
        _owned = owned;
        _stepRows = stepRows;
    }

    /// <summary>A runtime for <c>options.Runs</c> runs numbered from <c>options.FirstRun</c>.</summary>
    public static StrategyRuntime Create(ModelBindings models, FunctionBindings functions, RunOptions options, CancellationToken cancellation = default)
    {
        if (options.Runs < 1)
        {
            throw new RuntimeException($"the number of runs must be at least 1, but it is {options.Runs}");
        }

        var runIndices = Enumerable.Range(options.FirstRun, options.Runs).ToArray();
        return new StrategyRuntime(
            models, functions, options.Seed, runIndices, runIndices, s => s,
            new SpendMeter(options.Runs, options.FirstRun), cancellation, new List<Populations.Population>(), new Dictionary<Populations.Population, bool[]>());
    }

    public ModelBindings Models { get; }

    public FunctionBindings Functions { get; }

    public ulong Seed { get; }

    public SpendMeter Meter { get; }

    public CancellationToken Cancellation { get; }

    public int Runs => _runIndices.Length;

    /// <summary>The same runs, with streams keyed under a call site's stream: how a strategy call runs its callee.</summary>
    public StrategyRuntime ForCall(int stream) =>
        new(Models, Functions, Seed, _runIndices, _topRuns, s => _streams(StreamKeys.Nest(stream, s)), Meter, Cancellation, _owned, _stepRows);

    /// <summary>
    /// A sub-batch: run i is this batch's run <paramref name="parentRun"/>[i] with run index
    /// <paramref name="runIndices"/>[i], spending metered into the parent run, and stream s keyed as
    /// Nest(<paramref name="key"/>, s), where the key is already a final stream (this batch's map applied). Keying under
    /// the final key, not this batch's map applied to Nest(stream, s), is what lets the inliner express a repeat or
    /// refine of an inlined callee: the instruction's own stream carries the callee's keying, its region's do not.
    /// </summary>
    private StrategyRuntime SubBatch(int[] parentRun, int[] runIndices, int key) =>
        new(Models, Functions, Seed, runIndices, parentRun.Select(run => _topRuns[run]).ToArray(), s => StreamKeys.Nest(key, s),
            Meter.Sub(parentRun), Cancellation, _owned, _stepRows);

    /// <summary>Limits what each run may spend (a <c>budget</c> clause of the strategy being run).</summary>
    public void Budget(Tts.Semantics.BudgetResource resource, RunValues limit)
    {
        var limits = Enumerable.Range(0, limit.Count).Select(run => limit.Int(run, "budget")).ToArray();
        var negative = Array.FindIndex(limits, value => value < 0);
        if (negative >= 0)
        {
            // Without this a negative budget read as "spent 0 tokens, over its budget tokens <= -512".
            var name = resource.ToString().ToLowerInvariant();
            throw new RuntimeException(
                $"run {_runIndices[negative]}: its budget on {name} is {limits[negative]} (the budget clause evaluated with the run's arguments); a budget must be at least 0");
        }

        Meter.Limit(resource, limits);
    }

    public RunValues Broadcast(object? value) => new(Enumerable.Repeat(value, Runs).ToArray());

    /// <summary>
    /// Applies a scalar function elementwise: per particle if any operand is per particle, else per run. A run with no
    /// value (null, e.g. a rejection sampler that accepted nothing) gives no value.
    /// </summary>
    public BatchValue Map(IReadOnlyList<BatchValue> operands, Func<object[], object> apply)
    {
        var perParticle = operands.OfType<ParticleValues>().FirstOrDefault();
        if (perParticle is null)
        {
            return new RunValues(Enumerable.Range(0, Runs).Select(run =>
            {
                var args = operands.Select(o => PerRunOf(o)[run]).ToArray();
                return args.Any(a => a is null) ? null : apply(args!);
            }).ToArray());
        }

        var rows = perParticle.PerRow.Length;
        var particlesPerRun = rows / Runs;
        var result = new object[rows];
        for (var row = 0; row < rows; row++)
        {
            var args = operands.Select(o => o is ParticleValues p ? p.PerRow[row] : PerRunOf(o)[row / particlesPerRun]).ToArray();
            result[row] = args.Any(a => a is null) ? throw new RuntimeException($"run {RunIndexOf(row / particlesPerRun)} has no value to compute with") : apply(args!);
        }

        return new ParticleValues(result);
    }

    public BatchValue Builtin(BuiltinFunction function, IReadOnlyList<BatchValue> arguments)
    {
        if (function.Name == "log" && arguments.Count == 1 && _rewardOf.TryGetValue(arguments[0], out var reward))
        {
            RequireLogDefined(arguments[0], reward);
        }

        return Map(arguments, args => Computed(() => function.Evaluate(args)));
    }

    /// <summary>
    /// log of a reward's value below 0 is NaN, which would surface later as "the factor weight is NaN" with neither
    /// the reward nor the log named: say both where it happens.
    /// </summary>
    private void RequireLogDefined(BatchValue rewards, string reward)
    {
        var values = rewards is ParticleValues particles ? particles.PerRow : ((RunValues)rewards).PerRun;
        for (var row = 0; row < values.Length; row++)
        {
            if (values[row] is { } value && ToDouble(value) is var x && (x < 0 || double.IsNaN(x)))
            {
                var where = rewards is ParticleValues
                    ? $"run {RunIndexOf(row / (values.Length / Runs))}, particle {row % (values.Length / Runs)}"
                    : $"run {RunIndexOf(row)}";
                throw new RuntimeException(
                    $"{where}: log({reward}(...)) is undefined: reward '{reward}' gave {Constants.Format(x)}, and log needs a value of 0 or more (bind '{reward}' to positive scores, or use weight(...) for a plain log-weight)");
            }
        }
    }

    public BatchValue Unary(UnaryOperator op, BatchValue operand) => Map(new[] { operand }, args => Computed(() => Operators.Evaluate(op, args[0])));

    /// <summary>A value the language cannot compute (an int overflow, a bad pattern) is a run error, not a crash.</summary>
    private static object Computed(Func<object> compute)
    {
        try
        {
            return compute();
        }
        catch (EvaluationException e)
        {
            throw new RuntimeException(e.Message);
        }
    }

    public BatchValue Binary(BinaryOperator op, BatchValue left, BatchValue right) => Map(new[] { left, right }, args =>
    {
        try
        {
            return Operators.Evaluate(op, args[0], args[1]);
        }
        catch (EvaluationException e)
        {
            throw new RuntimeException(e.Message); // overflow, or a modulo by zero
        }
    });

    public RunValues List(IReadOnlyList<RunValues> elements) =>
        new(Enumerable.Range(0, Runs).Select(run => (object?)elements.Select(e => e[run]).ToArray()).ToArray());

    /// <summary>Reads a strategy argument: the same for every run of the batch, or one value per run (<see cref="PerRunArgument"/>).</summary>
    public RunValues Argument(IReadOnlyDictionary<string, object> arguments, string name) =>
        arguments.TryGetValue(name, out var argument)
            ? argument is PerRunArgument perRun ? PerRun(name, perRun) : Broadcast(argument)
            : throw new RuntimeException($"no value for parameter '{name}'");

    private RunValues PerRun(string name, PerRunArgument argument) =>
        argument.Values.Count == Runs
            ? new RunValues(argument.Values.ToArray())
            : throw new RuntimeException($"parameter '{name}' has {argument.Values.Count} per-run values for {Runs} runs");

    /// <summary>
    /// A strategy's value as one output per run: a population gives, per run, the texts of its live particles.
    /// Shared by both back ends (the executor and the emitted C#).
    /// </summary>
    public static RunValues Outputs(BatchValue value)
    {
        if (value is not Populations.Population population)
        {
            return new RunValues(PerRunOf(value));
        }

        var dead = population.Dead();
        var n = population.ParticlesPerRun;
        return new RunValues(Enumerable.Range(0, population.Runs)
            .Select(run => (object?)Enumerable.Range(run * n, n).Where(row => !dead[row]).Select(row => (object)population.Texts[row]).ToArray())
            .ToArray());
    }

    public RunResult[] Results(RunValues outputs) =>
        Enumerable.Range(0, Runs).Select(run => new RunResult(_runIndices[run], outputs[run], Meter.SpentBy(run))).ToArray();

    private int RunIndexOf(int run) => _runIndices[run];

    private int TopRunOf(int run) => _topRuns[run];

    /// <summary>How many of <paramref name="runs"/> (one entry per call or text charged) fall on each run: what the meter takes.</summary>
    private int[] CountPerRun(IEnumerable<int> runs)
    {
        var perRun = new int[Runs];
        foreach (var run in runs)
        {
            perRun[run]++;
        }

        return perRun;
    }

    private int Stream(int stream) => _streams(stream);

    private uint RowKey(int run, int stream, int particle) => CounterRandom.RowKey(Seed, _runIndices[run], Stream(stream), particle);

    private Populations.Population Own(Populations.Population population)
    {
        _owned.Add(population);
        return population;
    }

    /// <summary>Disposes every population the batch made (the outputs are plain values).</summary>
    public void Dispose()
    {
        foreach (var population in _owned.Distinct())
        {
            population.Dispose();
        }

        _owned.Clear();
    }

    private static double ToDouble(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    /// <summary>The per-run values of a value that must be one per run (the compiler's types make it so).</summary>
    private static object?[] PerRunOf(BatchValue value) => value is RunValues runs
        ? runs.PerRun
        : throw new InvalidOperationException($"expected one value per run, got {value.GetType().Name}: the IR verifier should have caught this");
}
