using Tts.Compiler.IR;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Populations;
using Tts.Runtime.Rewards;

namespace Tts.Execution;

/// <summary>
/// Runs IR for a batch of independent runs at once: an interpreter over <see cref="StrategyRuntime"/>, which does the
/// work. Every instruction executes once for the whole batch: single values hold one entry per run, per-particle
/// values one per row, and a population holds the rows of all runs, so each decode step is one batched model call
/// whatever the number of runs. Strategy calls that were not inlined run here with their streams keyed under the call
/// site, exactly as the inliner keys them, so -O0 and -O1 draw the same numbers.
/// </summary>
public sealed class IrExecutor
{
    private readonly IrModule? _module;
    private int _blockStep;

    private IrExecutor(IrModule? module)
    {
        _module = module;
    }

    /// <summary>
    /// The IR interpreter as a strategy body: runs <paramref name="function"/> for the batch of runs of the runtime it is
    /// given. Strategy calls that were not inlined are looked up in <paramref name="module"/>.
    /// </summary>
    public static StrategyBody Body(IrFunction function, IrModule? module) => (runtime, arguments) =>
    {
        var environment = new Environment(null, null);
        foreach (var parameter in function.Parameters)
        {
            environment.Arguments[parameter.Name] = runtime.Argument(arguments, parameter.Name);
        }

        var output = new IrExecutor(module).Run(function, runtime, environment, topLevel: true);
        return runtime.Results(StrategyRuntime.Outputs((BatchValue)output));
    };

    private object Run(IrFunction function, StrategyRuntime runtime, Environment environment, bool topLevel)
    {
        foreach (var instruction in function.Instructions)
        {
            if (instruction is IrReturn ret)
            {
                return environment.Get(ret.Value);
            }

            if (instruction is IrBudget budget)
            {
                // Only the strategy being run enforces its budget (an inlined callee's is dropped too).
                if (topLevel)
                {
                    runtime.Budget(budget.Resource, Single(environment, budget.Limit));
                }

                continue;
            }

            environment.Set(instruction.Result!, Evaluate(instruction, runtime, environment));
        }

        throw new InvalidOperationException($"strategy '{function.Name}' has no return instruction");
    }

    private object RunRegion(IrRegion region, StrategyRuntime runtime, Environment environment)
    {
        foreach (var instruction in region.Body)
        {
            if (instruction is IrBudget)
            {
                continue;
            }

            environment.Set(instruction.Result!, Evaluate(instruction, runtime, environment));
        }

        return environment.Get(region.Yield);
    }

    private object Evaluate(IrInstruction instruction, StrategyRuntime runtime, Environment env)
    {
        switch (instruction)
        {
            case IrParameter parameter:
                return env.Arguments[parameter.Name];
            case IrConstant constant:
                return runtime.Broadcast(constant.Value);
            case IrSpawn spawn:
                return new SpawnCount(Single(env, spawn.Count));
            case IrPrefill prefill:
                return runtime.Prefill(((SpawnCount)env.Get(prefill.Population)).PerRun, prefill.Model, Single(env, prefill.Prompt), prefill.Shared);
            case IrDecode decode:
                return runtime.Decode(PopulationOf(env, decode.Population), Options(env, decode.Options), decode.Stream,
                    decode.First is null ? null : Single(env, decode.First));
            case IrFusedDecode fused:
                return runtime.DecodeFused(fused.Populations.Select(p => PopulationOf(env, p)).ToArray(), Options(env, fused.Options), fused.Streams.ToArray());
            case IrProject project:
                return ((Population[])env.Get(project.Tuple))[project.Index];
            case IrExtend extend:
                return runtime.Extend(PopulationOf(env, extend.Population), Options(env, extend.Options), extend.Weighted, extend.Stream, _blockStep);
            case IrReextend reextend:
                return runtime.Reextend(PopulationOf(env, reextend.Population), reextend.Model, Options(env, reextend.Options),
                    reextend.Condition is null ? null : Value(env, reextend.Condition), reextend.Acceptance is null ? null : Value(env, reextend.Acceptance),
                    reextend.Exact, reextend.Stream, _blockStep);
            case IrStepLogProb stepLogProb:
                return runtime.StepLogProb(stepLogProb.Model, PopulationOf(env, stepLogProb.Population));
            case IrReweight reweight:
                return runtime.Reweight(PopulationOf(env, reweight.Population), reweight.Kind, Value(env, reweight.Value));
            case IrTwist twist:
                return runtime.Twist(PopulationOf(env, twist.Population), Value(env, twist.Value));
            case IrScore score:
                return runtime.Score(PopulationOf(env, score.Population), Value(env, score.Value));
            case IrResample resample:
                return runtime.Resample(PopulationOf(env, resample.Population), resample.Method,
                    resample.Ess is null ? null : Single(env, resample.Ess), resample.Stream, _blockStep, resample.Temper is null ? null : Single(env, resample.Temper));
            case IrSmc smc:
                return InBlock(() => runtime.Smc(PopulationOf(env, smc.Population), Single(env, smc.Steps), (step, population) =>
                    Step(smc.Body, runtime, env, step, population)));
            case IrParticleGibbs gibbs:
                return InBlock(() => runtime.ParticleGibbs(PopulationOf(env, gibbs.Population), Single(env, gibbs.Steps), Single(env, gibbs.Iterations), gibbs.Stream,
                    (step, population) => Step(gibbs.Body, runtime, env, step, population)));
            case IrSearch search:
                return InBlock(() => runtime.Search(
                    PopulationOf(env, search.Population), search.Method, Single(env, search.Width), Single(env, search.Expand), Single(env, search.Groups),
                    Single(env, search.Steps), (step, population) => Step(search.Body, runtime, env, step, population),
                    search.Explore is null ? null : Single(env, search.Explore)));
            case IrRank rank:
                return runtime.Rank(PopulationOf(env, rank.Population), Value(env, rank.Key), Single(env, rank.Top));
            case IrSpeculative speculative:
                return runtime.Speculative(Single(env, speculative.Count), speculative.Target, speculative.Draft, Single(env, speculative.Lookahead),
                    Single(env, speculative.Prompt), Options(env, speculative.Options), speculative.Stream);
            case IrParticleText text:
                return runtime.ParticleText(PopulationOf(env, text.Population));
            case IrCall call:
                return runtime.Builtin(call.Function, call.Arguments.Select(a => Value(env, a)).ToList());
            case IrUnary unary:
                return runtime.Unary(unary.Operator, Value(env, unary.Operand));
            case IrBinary binary:
                return runtime.Binary(binary.Operator, Value(env, binary.Left), Value(env, binary.Right));
            case IrList list:
                return runtime.List(list.Elements.Select(e => Single(env, e)).ToList());
            case IrSelectSample sample:
                return runtime.SelectSample(PopulationOf(env, sample.Population), sample.Stream);
            case IrSelectBest best:
                return runtime.SelectBest(PopulationOf(env, best.Population), (ParticleValues)env.Get(best.Key));
            case IrReduceVote vote:
                return runtime.ReduceVote(PopulationOf(env, vote.Population), (ParticleValues)env.Get(vote.Key),
                    vote.Weight is null ? null : (ParticleValues)env.Get(vote.Weight));
            case IrSelectFirst first:
                return runtime.SelectFirst(PopulationOf(env, first.Population), (ParticleValues)env.Get(first.Condition),
                    first.Otherwise is null ? null : Single(env, first.Otherwise));
            case IrCallFunction call:
                var owner = call.Argument.Type.PopulationId is { } id ? env.PopulationById(id) : null;
                return runtime.CallFunction(call.Name, call.Kind, call.ResultType, Value(env, call.Argument), owner);
            case IrAdaptiveVote vote:
                return runtime.AdaptiveVote(Single(env, vote.Count), vote.Model, Single(env, vote.Prompt), Options(env, vote.Options), Single(env, vote.Wave),
                    vote.Answer, vote.Extractor, vote.Stream);
            case IrLogProb logProb:
                var scoredOwner = logProb.Result!.Type.PopulationId is { } scoredId ? env.PopulationById(scoredId) : null;
                return runtime.LogProb(logProb.Model, Value(env, logProb.Text), Value(env, logProb.After),
                    logProb.Particles is null ? null : PopulationOf(env, logProb.Particles), scoredOwner);
            case IrCallStrategy call:
                return CallStrategy(call, runtime, env);
            case IrRepeat repeat:
                return runtime.Repeat(Single(env, repeat.Count), repeat.Stream, (sub, project) =>
                    (RunValues)RunRegion(repeat.Member, sub, new Environment(env, project)));
            case IrRefine refine:
                return runtime.Refine(
                    Single(env, refine.Initial),
                    Single(env, refine.Rounds),
                    refine.Stream,
                    (sub, project, current) => Round(refine.Step, sub, env, project, current),
                    refine.Until is null ? null : (sub, project, current) => Round(refine.Until, sub, env, project, current));
            default:
                throw new InvalidOperationException($"the executor does not know {instruction.GetType().Name}");
        }
    }

    /// <summary>One step of a block: the region's parameter is the population at the start of the step.</summary>
    private Population Step(IrRegion body, StrategyRuntime runtime, Environment env, int step, Population population)
    {
        _blockStep = step;
        env.Set(body.Parameters[0], population);
        return (Population)RunRegion(body, runtime, env);
    }

    /// <summary>Runs a block loop, restoring the enclosing block's step number afterwards.</summary>
    private T InBlock<T>(Func<T> loop)
    {
        var outer = _blockStep;
        try
        {
            return loop();
        }
        finally
        {
            _blockStep = outer;
        }
    }

    private RunValues Round(IrRegion region, StrategyRuntime sub, Environment env, Func<BatchValue, BatchValue> project, RunValues current)
    {
        var inner = new Environment(env, project);
        inner.Set(region.Parameters[0], current);
        return (RunValues)RunRegion(region, sub, inner);
    }

    private object CallStrategy(IrCallStrategy call, StrategyRuntime runtime, Environment env)
    {
        var callee = _module?.Find(call.Callee)
                     ?? throw new RuntimeException($"strategy '{call.Callee}' is called but not in the module being run (inline it, or run with its module)");
        var calleeEnvironment = new Environment(null, null);
        for (var i = 0; i < callee.Parameters.Length; i++)
        {
            calleeEnvironment.Arguments[callee.Parameters[i].Name] = env.Get(call.Arguments[i]);
        }

        return Run(callee, runtime.ForCall(call.Stream), calleeEnvironment, topLevel: false);
    }

    private static OptionValues Options(Environment env, IrDecodeOptions options) => new(
        Single(env, options.Temperature), Single(env, options.TopK), Single(env, options.TopP), Single(env, options.MinP),
        Single(env, options.MaxTokens), Single(env, options.Stop), Single(env, options.Forbid));

    private static RunValues Single(Environment env, IrValue value) => (RunValues)env.Get(value);

    private static BatchValue Value(Environment env, IrValue value) => (BatchValue)env.Get(value);

    private static Population PopulationOf(Environment env, IrValue value) => (Population)env.Get(value);

    private sealed record SpawnCount(RunValues PerRun);

    /// <summary>
    /// Values by SSA id. A sub-batch's environment (repeat member, refine round) reads the enclosing one's values
    /// through a projection onto its runs.
    /// </summary>
    private sealed class Environment(Environment? parent, Func<BatchValue, BatchValue>? project)
    {
        private readonly Dictionary<int, object> _values = new();

        public Dictionary<string, object> Arguments { get; } = parent?.Arguments ?? new Dictionary<string, object>(StringComparer.Ordinal);

        public object Get(IrValue value)
        {
            if (_values.TryGetValue(value.Id, out var known))
            {
                return known;
            }

            if (parent is null)
            {
                throw new InvalidOperationException($"{value} has no value: the IR verifier should have caught this");
            }

            var projected = parent.Get(value) is BatchValue outer
                ? project!(outer)
                : throw new RuntimeException("a repeat member or refine round reads a value of its caller's block from outside it; pass the strategy a text instead");
            _values[value.Id] = projected;
            return projected;
        }

        public Population? PopulationById(int id) => _values.TryGetValue(id, out var value) ? value as Population : parent?.PopulationById(id);

        public void Set(IrValue value, object result) => _values[value.Id] = result;
    }
}
