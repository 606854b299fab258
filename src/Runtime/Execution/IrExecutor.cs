using System.Globalization;
using Tts.Compiler.IR;
using Tts.Language.Binding;
using Tts.Runtime.Decoding;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Execution;

/// <summary>
/// Runs an IR function for a batch of independent runs at once. Every instruction executes once for the whole
/// batch: single values hold one entry per run, per-particle values one per row, and a population holds the rows
/// of all runs, so each decode step is one batched model call whatever the number of runs.
/// </summary>
public sealed class IrExecutor
{
    private readonly IrFunction _function;
    private readonly ModelBindings _models;
    private readonly FunctionBindings _functions;
    private readonly RunOptions _options;
    private readonly Dictionary<int, object> _values = new();
    private readonly List<Population> _populations = new();
    private readonly long[] _tokens;
    private readonly long[] _calls;
    private readonly long[] _rewardCalls;

    private IrExecutor(IrFunction function, ModelBindings models, FunctionBindings functions, RunOptions options)
    {
        _function = function;
        _models = models;
        _functions = functions;
        _options = options;
        _tokens = new long[options.Runs];
        _calls = new long[options.Runs];
        _rewardCalls = new long[options.Runs];
    }

    public static IReadOnlyList<RunResult> Execute(IrFunction function, IReadOnlyDictionary<string, object> arguments, ModelBindings models, RunOptions options) =>
        Execute(function, arguments, models, new FunctionBindings(), options);

    /// <summary>Runs with rewards, verifiers and extractors bound by name (each called once per batch of texts).</summary>
    public static IReadOnlyList<RunResult> Execute(
        IrFunction function, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options)
    {
        if (options.Runs < 1)
        {
            throw new RuntimeException($"the number of runs must be at least 1, but it is {options.Runs}");
        }

        var executor = new IrExecutor(function, models, functions, options);
        try
        {
            return executor.Run(arguments);
        }
        finally
        {
            foreach (var population in executor._populations)
            {
                population.Dispose();
            }
        }
    }

    private int Runs => _options.Runs;

    private IReadOnlyList<RunResult> Run(IReadOnlyDictionary<string, object> arguments)
    {
        foreach (var instruction in _function.Instructions)
        {
            if (instruction is IrReturn ret)
            {
                var outputs = Single(ret.Value);
                return Enumerable.Range(0, Runs)
                    .Select(run => new RunResult(_options.FirstRun + run, outputs[run], new Spent(_tokens[run], _calls[run], _rewardCalls[run])))
                    .ToList();
            }

            _values[instruction.Result!.Id] = Evaluate(instruction, arguments);
        }

        throw new InvalidOperationException($"strategy '{_function.Name}' has no return instruction");
    }

    private object Evaluate(IrInstruction instruction, IReadOnlyDictionary<string, object> arguments)
    {
        switch (instruction)
        {
            case IrParameter parameter:
                return arguments.TryGetValue(parameter.Name, out var argument)
                    ? argument is PerRunArgument perRun ? PerRun(parameter.Name, perRun) : Broadcast(argument)
                    : throw new RuntimeException($"no value for parameter '{parameter.Name}'");
            case IrConstant constant:
                return Broadcast(constant.Value);
            case IrSpawn spawn:
                return new Spawned(Single(spawn.Count).Select(c => (long)c).ToArray());
            case IrPrefill prefill:
                return Prefill(prefill);
            case IrDecode decode:
                return Decode(decode);
            case IrParticleText text:
                return new PerParticle(PopulationOf(text.Population).Texts.Cast<object>().ToArray());
            case IrCall call:
                return Map(call.Arguments, args => call.Function.Evaluate(args));
            case IrUnary unary:
                return Map(new[] { unary.Operand }, args => Operators.Evaluate(unary.Operator, args[0]));
            case IrBinary binary:
                return Map(new[] { binary.Left, binary.Right }, args => EvaluateBinary(binary.Operator, args[0], args[1]));
            case IrList list:
                return Enumerable.Range(0, Runs).Select(run => (object)list.Elements.Select(e => Single(e)[run]).ToArray()).ToArray();
            case IrSelectSample sample:
                return SelectSample(sample);
            case IrSelectBest best:
                return SelectBest(best);
            case IrReduceVote vote:
                return ReduceVote(vote);
            case IrSelectFirst first:
                return SelectFirst(first);
            case IrCallFunction call:
                return CallFunction(call);
            default:
                throw new InvalidOperationException($"the executor does not know {instruction.GetType().Name}");
        }
    }

    private Population Prefill(IrPrefill prefill)
    {
        var counts = ((Spawned)_values[prefill.Population.Id]).CountPerRun;
        var count = counts[0];
        if (counts.Any(c => c != count))
        {
            throw new RuntimeException("every batched run must spawn the same number of particles");
        }

        var n = (int)Math.Min(int.MaxValue, (long)CheckOption(DecodeOptionRules.Count, count));
        var prompts = Single(prefill.Prompt).Cast<string>().ToList();
        var population = Population.Start(_models.Resolve(prefill.Model), prompts, n);
        _populations.Add(population);
        for (var run = 0; run < Runs; run++)
        {
            _calls[run]++;
        }

        return population;
    }

    private Population Decode(IrDecode decode)
    {
        var population = PopulationOf(decode.Population);

        // Options are single values; runs share them (they come from the same arguments), so run 0 speaks for all.
        var temperature = Convert.ToDouble(CheckOption(DecodeOptionRules.Temperature, Single(decode.Temperature)[0]), CultureInfo.InvariantCulture);
        var topK = (long)CheckOption(DecodeOptionRules.TopK, Single(decode.TopK)[0]);
        var topP = Convert.ToDouble(CheckOption(DecodeOptionRules.TopP, Single(decode.TopP)[0]), CultureInfo.InvariantCulture);
        var maxTokens = (long)CheckOption(DecodeOptionRules.MaxTokens, Single(decode.MaxTokens)[0]);
        var stop = ((object[])CheckOption(DecodeOptionRules.Stop, Single(decode.Stop)[0])).Cast<string>().ToList();
        var options = new DecodeOptions(new SamplingOptions(temperature, (int)Math.Min(topK, int.MaxValue), topP), (int)Math.Min(maxTokens, int.MaxValue), stop);
        PopulationDecoder.Decode(population, options, _options.Seed, _options.FirstRun, decode.Stream, _tokens, _calls);
        return population;
    }

    private static object CheckOption(string name, object value) =>
        DecodeOptionRules.Check(name, value) is { } expectation
            ? throw new RuntimeException($"'{name}' must be {expectation}, but it is {DecodeOptionRules.FormatValue(value)}")
            : value;

    private object[] SelectSample(IrSelectSample sample)
    {
        var population = PopulationOf(sample.Population);
        var n = population.ParticlesPerRun;
        var result = new object[Runs];
        for (var run = 0; run < Runs; run++)
        {
            // Uniform in v0 (all weights equal); one counter-based draw per run.
            var key = CounterRandom.RowKey(_options.Seed, _options.FirstRun + run, sample.Stream, 0);
            var u = CounterRandom.Uniform((uint)key, 0, 0);
            var particle = Math.Min(n - 1, (int)(u * n));
            result[run] = population.Texts[run * n + particle];
        }

        return result;
    }

    private object[] SelectBest(IrSelectBest best)
    {
        var population = PopulationOf(best.Population);
        var scores = ((PerParticle)_values[best.Key.Id]).PerRow;
        var n = population.ParticlesPerRun;
        var result = new object[Runs];
        for (var run = 0; run < Runs; run++)
        {
            var bestRow = run * n;
            var bestScore = double.NegativeInfinity;
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                var score = Convert.ToDouble(scores[row], CultureInfo.InvariantCulture);

                // Strictly greater: ties go to the lowest index; NaN never wins.
                if (score > bestScore)
                {
                    bestScore = score;
                    bestRow = row;
                }
            }

            result[run] = population.Texts[bestRow];
        }

        return result;
    }

    /// <summary>One batched call for all texts of all runs: every particle of a population, or one text per run.</summary>
    private object CallFunction(IrCallFunction call)
    {
        var argument = _values[call.Argument.Id];
        var texts = (argument is PerParticle perParticle ? perParticle.PerRow : (object[])argument).Cast<string>().ToList();
        IEnumerable<object> results = call.Kind switch
        {
            Tts.Language.Syntax.Nodes.FunctionKind.Reward => _functions
                .Reward(call.Name, call.ResultType.Kind == Tts.Language.Binding.Types.TypeKind.Prob ? RewardKind.Prob : RewardKind.Score)
                .Evaluate(texts).Select(v => (object)v),
            Tts.Language.Syntax.Nodes.FunctionKind.Verifier => _functions.Verifier(call.Name).Verify(texts).Select(v => (object)v),
            _ => _functions.Extractor(call.Name).Extract(texts),
        };
        var values = results.ToArray();
        var perRun = texts.Count / Runs;
        for (var run = 0; run < Runs; run++)
        {
            _rewardCalls[run] += perRun;
        }

        return argument is PerParticle ? new PerParticle(values) : values;
    }

    /// <summary>The first particle, in index order, whose condition holds; else the fallback, or null (no output).</summary>
    private object?[] SelectFirst(IrSelectFirst first)
    {
        var population = PopulationOf(first.Population);
        var conditions = ((PerParticle)_values[first.Condition.Id]).PerRow;
        var fallback = first.Otherwise is null ? null : Single(first.Otherwise);
        var n = population.ParticlesPerRun;
        var result = new object?[Runs];
        for (var run = 0; run < Runs; run++)
        {
            result[run] = fallback?[run];
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if ((bool)conditions[row])
                {
                    result[run] = population.Texts[row];
                    break;
                }
            }
        }

        return result;
    }

    private object[] ReduceVote(IrReduceVote vote)
    {
        var keys = ((PerParticle)_values[vote.Key.Id]).PerRow;
        var weights = vote.Weight is null ? null : ((PerParticle)_values[vote.Weight.Id]).PerRow;
        var n = PopulationOf(vote.Population).ParticlesPerRun;
        var result = new object[Runs];
        for (var run = 0; run < Runs; run++)
        {
            // A plain vote counts 1 per particle; a weighted one sums the weights (NaN counts as 0).
            var counts = new Dictionary<object, double>();
            var order = new List<object>();
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if (!counts.TryGetValue(keys[row], out var c))
                {
                    order.Add(keys[row]);
                }

                var w = weights is null ? 1.0 : Convert.ToDouble(weights[row], CultureInfo.InvariantCulture);
                counts[keys[row]] = c + (double.IsNaN(w) ? 0.0 : w);
            }

            // Ties go to the value first seen: order is first-occurrence order and Max keeps the first maximum.
            var winner = order[0];
            foreach (var key in order)
            {
                if (counts[key] > counts[winner])
                {
                    winner = key;
                }
            }

            result[run] = winner;
        }

        return result;
    }

    private static object EvaluateBinary(BinaryOperator op, object left, object right)
    {
        try
        {
            return Operators.Evaluate(op, left, right);
        }
        catch (DivideByZeroException)
        {
            throw new RuntimeException($"{Constants.Format(left)} {Operators.Text(op)} {Constants.Format(right)}: division by zero");
        }
    }

    /// <summary>Applies a scalar function elementwise: per particle if any operand is per particle, else per run.</summary>
    private object Map(IReadOnlyList<IrValue> operands, Func<object[], object> apply)
    {
        var perParticle = operands.Select(o => _values[o.Id]).OfType<PerParticle>().FirstOrDefault();
        if (perParticle is null)
        {
            return Enumerable.Range(0, Runs).Select(run => apply(operands.Select(o => Single(o)[run]).ToArray())).ToArray();
        }

        var rows = perParticle.PerRow.Length;
        var particlesPerRun = rows / Runs;
        var result = new object[rows];
        for (var row = 0; row < rows; row++)
        {
            var args = operands.Select(o => _values[o.Id] is PerParticle p ? p.PerRow[row] : Single(o)[row / particlesPerRun]).ToArray();
            result[row] = apply(args);
        }

        return new PerParticle(result);
    }

    private object[] Broadcast(object value) => Enumerable.Repeat(value, Runs).ToArray();

    private object[] PerRun(string name, PerRunArgument argument) =>
        argument.Values.Count == Runs
            ? argument.Values.ToArray()
            : throw new RuntimeException($"parameter '{name}' has {argument.Values.Count} per-run values for {Runs} runs");

    private object[] Single(IrValue value) => (object[])_values[value.Id];

    private Population PopulationOf(IrValue value) => (Population)_values[value.Id];

    private sealed record Spawned(long[] CountPerRun);

    private sealed record PerParticle(object[] PerRow);
}
