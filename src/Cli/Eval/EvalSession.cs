using Tts.Cli.Binding;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Cli.Eval;

/// <summary>
/// The models and functions of an evaluation, loaded once and bound for each strategy, and the one loop that runs a
/// strategy over a range of the task's problems (every problem a run, its question a per-run argument; run i is
/// problem i, so its randomness and its reward model's question follow the problem, whatever range it runs in).
/// Shared by `tts eval` and `tts tune`.
/// </summary>
internal sealed class EvalSession : IDisposable
{
    private readonly List<IDisposable> _loaded;
    private readonly Dictionary<EvalStrategy, FunctionBindings> _functions;
    private readonly CancellationToken _cancellation;

    private EvalSession(IEvalTask task, ModelBindings models, Dictionary<EvalStrategy, FunctionBindings> functions, List<IDisposable> loaded, CancellationToken cancellation)
    {
        Task = task;
        Models = models;
        _functions = functions;
        _loaded = loaded;
        _cancellation = cancellation;
    }

    public IEvalTask Task { get; }

    public ModelBindings Models { get; }

    /// <summary>
    /// Loads the models of <paramref name="modelSpecs"/> and, when a strategy declares a reward not bound by
    /// <c>--bind</c>, the reward model; binds every strategy's functions; fails (one line) when anything is unbound.
    /// Every run stops with <see cref="OperationCanceledException"/> once <paramref name="cancellation"/> is cancelled
    /// (the reader of the command's output has gone: <see cref="Output.ClosedOutputWriter.ClosedOf"/>).
    /// </summary>
    public static EvalSession Open(
        IEvalTask task, IReadOnlyList<EvalStrategy> strategies, StrategySettings settings, IReadOnlyList<ModelSpec> modelSpecs, string? prmDirectory,
        CancellationToken cancellation)
    {
        var prompts = task.Problems.Select(p => p.Prompt).ToList();
        var context = new RewardModelContext(settings.Device, run => prompts[run], settings.MemoryLimit);
        var loaded = new List<IDisposable>();
        try
        {
            var models = new ModelBindings();
            foreach (var spec in modelSpecs)
            {
                var model = spec.Load(settings.Device, settings.MemoryLimit);
                loaded.Add(model);
                models.Bind(spec.Name, model);
            }

            TransformerRewardModel? rewardModel = null;
            var functions = new Dictionary<EvalStrategy, FunctionBindings>(ReferenceEqualityComparer.Instance);
            foreach (var strategy in strategies)
            {
                var declaredReward = strategy.Program.Compilation.Bound.Functions.Any(f => f.Kind == FunctionKind.Reward && !settings.Binds.Any(b => b.StartsWith(f.Name + "=", StringComparison.Ordinal)));
                if (declaredReward && rewardModel is null)
                {
                    rewardModel = prmDirectory is null
                        ? throw new CliException($"{strategy.Label}: a strategy declares a reward: give --prm DIR (a reward model directory) or --bind NAME=reward-model:DIR")
                        : TransformerRewardModel.Load(prmDirectory, new TransformerOptions { Device = settings.Device });
                    loaded.Add(rewardModel);
                }

                var bound = BindFunctions(strategy, task, rewardModel, settings.Binds, context, loaded);
                var unbound = strategy.Strategy.Unbound(models, bound);
                if (unbound.Count > 0)
                {
                    throw new CliException($"{strategy.Label}: {string.Join("; ", unbound.Select(LoadedBindings.Hint))}");
                }

                functions[strategy] = bound;
            }

            return new EvalSession(task, models, functions, loaded, cancellation);
        }
        catch
        {
            Dispose(loaded);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="strategy"/> with <paramref name="settings"/> (its other parameters, as text; the question is
    /// given per run) over problems [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>).
    /// </summary>
    /// <exception cref="RuntimeException">A run fails (a model or runtime error).</exception>
    public IReadOnlyList<ProblemOutcome> Run(
        EvalStrategy strategy, IReadOnlyDictionary<string, string> settings, int first, int count, EvalRunOptions options, IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first + count, Task.Problems.Count);
        // The question is given per run below; parsing only needs it present.
        var text = new Dictionary<string, string>(settings, StringComparer.Ordinal) { [strategy.QuestionParameter] = "" };
        var arguments = new Dictionary<string, object>(strategy.Strategy.ParseArguments(text), StringComparer.Ordinal)
        {
            [strategy.QuestionParameter] = new PerRunArgument(Task.Problems.Skip(first).Take(count).Select(p => (object)p.Prompt).ToList()),
        };
        var runOptions = new RunOptions(options.Seed, count, first)
        {
            ParticlesPerBatch = options.ParticlesPerBatch,
            MinParticlesPerRun = options.MinParticlesPerRun,
            MemoryLimitBytes = options.MemoryLimit,
            Progress = progress,
        };
        var outcomes = new ProblemOutcome[count];
        foreach (var result in strategy.Strategy.Run(arguments, Models, _functions[strategy], runOptions, _cancellation))
        {
            var problem = Task.Problems[result.Run];
            var output = result.Output is { } value ? value as string ?? Constants.Format(value) : null;
            var answer = output is null ? "" : Task.ExtractAnswer(output);
            var correct = output is not null && Task.IsCorrect(problem, output);
            outcomes[result.Run - first] = new ProblemOutcome(result.Run, correct, answer, result.Spent.Tokens, result.Spent.RewardCalls, result.Spent.RedrawnTokens);
        }

        return outcomes;
    }

    public void Dispose() => Dispose(_loaded);

    private static void Dispose(List<IDisposable> loaded)
    {
        foreach (var item in loaded)
        {
            item.Dispose();
        }

        loaded.Clear();
    }

    /// <summary>
    /// A strategy's functions: those given by <c>--bind</c>, and by default rewards to the reward model, verifiers to the
    /// task's checker, extractors to its answer extractor (each knows its run's problem: run i is problem i).
    /// </summary>
    private static FunctionBindings BindFunctions(
        EvalStrategy strategy, IEvalTask task, TransformerRewardModel? rewardModel, IReadOnlyList<string> binds, RewardModelContext context, List<IDisposable> owned)
    {
        var bound = strategy.Program.Compilation.Bound;
        var functions = FunctionSpec.Bind(binds.Where(b => bound.Functions.Any(f => b.StartsWith(f.Name + "=", StringComparison.Ordinal))).ToList(), bound, context, owned);
        foreach (var declared in bound.Functions.Where(f => !functions.IsBound(f.Name)))
        {
            switch (declared.Kind)
            {
                case FunctionKind.Reward when declared.ResultType.Kind == TypeKind.Prob:
                    throw new CliException($"{strategy.Label}: reward '{declared.Name}' is declared Prob; the reward model gives a Score: declare it `reward {declared.Name}: Score`");
                case FunctionKind.Reward:
                    functions.BindReward(declared.Name, new RewardModelReward(rewardModel!, context.PromptOfRun));
                    break;
                case FunctionKind.Verifier:
                    functions.BindVerifier(declared.Name, task.Verifier(task.Problems));
                    break;
                default:
                    functions.BindExtractor(declared.Name, task.Extractor());
                    break;
            }
        }

        return functions;
    }
}

/// <summary>How an evaluation runs: its seed, and the particles per batch (at least <c>MinParticlesPerRun</c> a run, e.g. the budget).</summary>
internal sealed record EvalRunOptions(ulong Seed, int ParticlesPerBatch, int MinParticlesPerRun = 1, long? MemoryLimit = null);
