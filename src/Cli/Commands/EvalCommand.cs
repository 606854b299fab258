using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tts.Cli.Binding;
using Tts.Cli.Eval;
using Tts.Cli.Output;
using Tts.Execution;
using Tts.Language.Syntax.Nodes;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Semantics;
using Tts.Tasks.Arithmetic;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts eval STRATEGY.tts[:NAME]... --task arithmetic|FILE.jsonl [--budgets 1,2,4,...] [--problems N]</c>: runs every
/// strategy at every budget over the task's problems (all problems of a budget batched as independent runs, one
/// question per run), and reports accuracy with 95% Wilson intervals and tokens spent, as a table, a PNG plot and
/// JSON. The budget sets one int parameter of each strategy (<c>--budget-parameter</c>, default <c>n</c>). Declared
/// models bind to <c>--model</c> (default for the arithmetic task: the shipped policy), rewards to the process reward
/// model (<c>--prm</c>), verifiers to the task's exact checker, extractors to the task's answer extractor.
/// </summary>
internal static class EvalCommand
{
    public const string DefaultPolicy = "models/arith-policy";
    public const string DefaultRewardModel = "models/arith-prm";

    /// <summary>Default particles per batch (runs × budget): bounds the KV cache (about 250 KB per particle for the shipped policy).</summary>
    private const int DefaultParticlesPerBatch = 4096;

    /// <summary>The README's full evaluation of the arithmetic task (<c>--full</c>).</summary>
    private const int FullProblems = 200;

    private const string FullBudgets = "1,2,4,8,16";

    /// <summary>The quick arithmetic run, the default: the first problems (ten per level) at three budgets.</summary>
    private const int QuickProblems = 40;

    private const string QuickBudgets = "1,4,16";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("strategies") { Description = "Strategy files, FILE.tts or FILE.tts:NAME to pick one strategy of a file", Arity = ArgumentArity.OneOrMore };
        var task = new Option<string>("--task") { Description = "arithmetic (the shipped task's test split) or a JSONL file of {\"prompt\": .., \"answer\": ..}", Required = true };
        var budgets = new Option<string?>("--budgets") { Description = $"Comma-separated budgets (default: {FullBudgets}; {QuickBudgets} for the quick arithmetic run)" };
        var budgetParameter = new Option<string>("--budget-parameter") { Description = "The int parameter each budget sets", DefaultValueFactory = _ => "n" };
        var problems = new Option<int?>("--problems") { Description = $"Number of problems (default: {QuickProblems} for arithmetic, {FullProblems} with --full; the whole file for JSONL)" };
        var full = new Option<bool>("--full")
        {
            Description = $"The arithmetic task's full evaluation (the README's table): {FullProblems} problems at budgets {FullBudgets}. Without it, and without --problems and --budgets, --task arithmetic is a quick run: {QuickProblems} problems at budgets {QuickBudgets}",
        };
        var shared = new StrategyOptions();
        shared.Models.Description += $" (default for arithmetic: policy=transformer:{DefaultPolicy})";
        shared.Binds.Description += "; by default rewards bind to --prm, verifiers to the task's checker, extractors to its answer extractor";
        var prm = new Option<string?>("--prm") { Description = $"Reward model directory every declared reward binds to (default for arithmetic: {DefaultRewardModel})" };
        var extractor = new Option<string>("--extractor") { Description = $"JSONL tasks: how answers are read ({string.Join(", ", JsonlEvalTask.Extractors)})", DefaultValueFactory = _ => "answer" };
        var outDir = new Option<string?>("--out") { Description = "Folder for results.json and accuracy.png (default: runs/eval-TIMESTAMP)" };
        var batchParticles = new Option<int>("--batch-particles")
        {
            Description = "Runs of one batch times the budget: lower it when a strategy holds more particles than its budget (a search's children, diverse groups) and the KV cache overflows",
            DefaultValueFactory = _ => DefaultParticlesPerBatch,
        };
        var command = new Command("eval", "Accuracy against budget of strategies on a task: table, plot and JSON")
        {
            files, task, budgets, budgetParameter, problems, full, prm, extractor, outDir, batchParticles,
        };
        shared.AddTo(command);
        command.SetAction(result =>
        {
            var (budgetText, problemCount, quick) = Size(result.GetValue(task)!, result.GetValue(budgets), result.GetValue(problems), result.GetValue(full));
            return Run(
            new EvalRequest(
                result.GetValue(files)!,
                result.GetValue(task)!,
                ParseBudgets(budgetText),
                result.GetValue(budgetParameter)!,
                problemCount,
                shared.Read(result),
                result.GetValue(prm),
                result.GetValue(extractor)!,
                result.GetValue(outDir),
                result.GetValue(batchParticles),
                quick),
            output,
            error);
        });
        return command;
    }

    /// <summary>
    /// The budgets and problems to run: as given; else, for the arithmetic task, the quick run (a newcomer sees the
    /// table in minutes) or with <c>--full</c> the README's full evaluation, whose figures the quick run's cells share
    /// (problem i and its random stream are the same whatever the count, and the levels cycle 1–4).
    /// </summary>
    private static (string Budgets, int? Problems, bool Quick) Size(string task, string? budgets, int? problems, bool full)
    {
        var isArithmetic = task == ArithmeticTask.Name;
        if (full && !isArithmetic)
        {
            throw new CliException("--full is the arithmetic task's full evaluation; for a JSONL task give --problems and --budgets");
        }

        if (full && (budgets is not null || problems is not null))
        {
            throw new CliException($"--full means --problems {FullProblems} --budgets {FullBudgets}: give either --full or those options");
        }

        var quick = isArithmetic && !full && budgets is null && problems is null;
        return (budgets ?? (quick ? QuickBudgets : FullBudgets), problems ?? (isArithmetic ? (quick ? QuickProblems : FullProblems) : null), quick);
    }

    private static long[] ParseBudgets(string text)
    {
        var budgets = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(b => long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1
                ? v
                : throw new CliException($"--budgets {text}: each budget must be a positive integer"))
            .Distinct().Order().ToArray();
        return budgets.Length > 0 ? budgets : throw new CliException("--budgets: give at least one budget");
    }

    private static int Run(EvalRequest request, TextWriter output, TextWriter error)
    {
        var isArithmetic = request.Task == ArithmeticTask.Name;
        if (request.Problems is < 1)
        {
            throw new CliException($"--problems must be at least 1, but it is {request.Problems}");
        }

        if (request.ParticlesPerBatch < 1)
        {
            throw new CliException("--batch-particles must be at least 1");
        }

        // Everything that can be checked is checked before any cell runs: the files, the settings, the destination.
        var outDir = request.Out ?? Path.Combine("runs", "eval-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        using var claim = ClaimedFile.Claim(Path.Combine(outDir, "results.json"), $"--out {outDir}");

        IEvalTask task = isArithmetic
            ? new ArithmeticEvalTask(request.Problems ?? FullProblems)
            : JsonlEvalTask.Load(request.Task, request.Extractor, request.Problems);
        if (task.Problems.Count < 1)
        {
            throw new CliException("the task has no problems");
        }

        var strategies = request.Files.Select(spec => EvalStrategy.Load(spec, request.BudgetParameter, error)).ToList();
        foreach (var name in request.Settings.Sets.Keys.Where(name => strategies.All(s => s.Strategy.Parameters.All(p => p.Name != name))))
        {
            throw new CliException($"--set {name}=...: no strategy has a parameter '{name}'");
        }

        // The budget parameter is set by each budget of the sweep: a --set for it would be silently overwritten.
        if (request.Settings.Sets.ContainsKey(request.BudgetParameter) && strategies.Any(s => s.HasBudget))
        {
            throw new CliException(
                $"--set {request.BudgetParameter}=...: '{request.BudgetParameter}' is the budget parameter, which --budgets sets for every cell; give --budgets instead (e.g. --budgets 4)");
        }

        var modelSpecs = request.Settings.Models.Count > 0 || !isArithmetic
            ? request.Settings.Models.Select(ModelSpec.Parse).ToList()
            : [new ModelSpec("policy", "transformer", DefaultPolicy)];
        var prmDirectory = request.RewardModel ?? (isArithmetic ? DefaultRewardModel : null);
        var prompts = task.Problems.Select(p => p.Prompt).ToList();
        var context = new RewardModelContext(request.Settings.Device, run => prompts[run], request.Settings.MemoryLimit);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = 120; // redirected output (a file, CI): wide enough for the table on one line per row
        }

        var loaded = new List<IDisposable>();
        try
        {
            var models = new ModelBindings();
            foreach (var spec in modelSpecs)
            {
                var model = spec.Load(request.Settings.Device, request.Settings.MemoryLimit);
                loaded.Add(model);
                models.Bind(spec.Name, model);
            }

            TransformerRewardModel? rewardModel = null;
            var functions = strategies.Select(strategy =>
            {
                var declaredReward = strategy.Program.Compilation.Bound.Functions.Any(f => f.Kind == FunctionKind.Reward && !request.Settings.Binds.Any(b => b.StartsWith(f.Name + "=", StringComparison.Ordinal)));
                if (declaredReward && rewardModel is null)
                {
                    rewardModel = prmDirectory is null
                        ? throw new CliException($"{strategy.Label}: a strategy declares a reward: give --prm DIR (a reward model directory) or --bind NAME=reward-model:DIR")
                        : TransformerRewardModel.Load(prmDirectory, new TransformerOptions { Device = request.Settings.Device });
                    loaded.Add(rewardModel);
                }

                return EvalSession.BindFunctions(strategy, task, rewardModel, request.Settings.Binds, context, loaded);
            }).ToList();
            for (var i = 0; i < strategies.Count; i++)
            {
                var unbound = strategies[i].Strategy.Unbound(models, functions[i]);
                if (unbound.Count > 0)
                {
                    throw new CliException($"{strategies[i].Label}: {string.Join("; ", unbound.Select(LoadedBindings.Hint))}");
                }
            }

            CheckBeforeRunning(strategies, task, models, modelSpecs, request);
            var results = new List<EvalResult>();
            if (console.Profile.Capabilities.Interactive)
            {
                console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context =>
                    {
                        for (var i = 0; i < strategies.Count; i++)
                        {
                            var strategy = strategies[i];
                            var budgets = strategy.HasBudget ? request.Budgets : [1L];
                            var progress = context.AddTask(strategy.Label, maxValue: budgets.Length * task.Problems.Count);
                            foreach (var budget in budgets)
                            {
                                results.Add(EvaluateOrFail(strategy, budget, task, models, functions[i], request, new Progress(progress)));
                            }

                            progress.StopTask(); // its clock stops with its last cell
                        }
                    });
            }
            else
            {
                // Redirected (a file, CI): a live display would print a refresh line per tick; one line per finished cell.
                for (var i = 0; i < strategies.Count; i++)
                {
                    foreach (var budget in strategies[i].HasBudget ? request.Budgets : [1L])
                    {
                        var result = EvaluateOrFail(strategies[i], budget, task, models, functions[i], request, new Progress<int>());
                        results.Add(result);
                        output.WriteLine(CellLine(result, request.BudgetParameter));
                    }
                }
            }

            Directory.CreateDirectory(outDir);
            var title = $"{task.Name}: {task.Problems.Count} problems";
            ResultsReport.WriteTable(console, title, results, request.BudgetParameter);
            ResultsReport.WriteJson(claim.Path, task, request, modelSpecs, prmDirectory, results);
            claim.Keep();
            ResultsPlot.Save(Path.Combine(outDir, "accuracy.png"), title, results, request.BudgetParameter);
            output.WriteLine($"wrote {Path.Combine(outDir, "results.json")} and {Path.Combine(outDir, "accuracy.png")}");
            if (request.Quick)
            {
                output.WriteLine($"a quick run: the first {task.Problems.Count} test problems at budgets {QuickBudgets}; the full evaluation (the README's table: {FullProblems} problems at budgets {FullBudgets}, in which each of these problems gets the same outcome at these budgets) is one flag away: add --full");
            }
            foreach (var failed in results.Where(r => r.Failed))
            {
                error.WriteLine($"tts eval: {failed.Strategy} at {request.BudgetParameter} = {failed.Budget} failed: {failed.Error}");
            }

            return results.Any(r => r.Failed) ? TtsCommandLine.RunError : TtsCommandLine.Success;
        }
        finally
        {
            foreach (var item in loaded)
            {
                item.Dispose();
            }
        }
    }

    /// <summary>
    /// What fails every cell alike fails before any runs: a parameter value a strategy rejects at some budget, a problem
    /// prompt a bound model cannot tokenize.
    /// </summary>
    private static void CheckBeforeRunning(
        IReadOnlyList<EvalStrategy> strategies, IEvalTask task, ModelBindings models, IReadOnlyList<ModelSpec> specs, EvalRequest request)
    {
        foreach (var strategy in strategies)
        {
            foreach (var budget in strategy.HasBudget ? request.Budgets : [1L])
            {
                try
                {
                    strategy.Strategy.ParseArguments(Settings(strategy, budget, request));
                }
                catch (RuntimeException exception)
                {
                    throw new CliException($"{strategy.Label} at {request.BudgetParameter} = {budget}: {exception.Message}");
                }
            }
        }

        foreach (var spec in specs)
        {
            var model = models.Resolve(spec.Name);
            for (var i = 0; i < task.Problems.Count; i++)
            {
                try
                {
                    model.Encode(task.Problems[i].Prompt);
                }
                catch (ModelException exception)
                {
                    throw new CliException($"--task {request.Task}: problem {i + 1}: {exception.Message}");
                }
            }
        }
    }

    private static string CellLine(EvalResult r, string budgetName)
    {
        var cell = r.Fixed ? r.Strategy : $"{r.Strategy} at {budgetName} = {r.Budget}";
        return r.Failed
            ? $"{cell}: failed ({r.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s)"
            : string.Create(CultureInfo.InvariantCulture,
                $"{cell}: {r.Correct}/{r.Problems} correct ({100.0 * r.Accuracy:F1}%), {r.TokensPerProblem:F0} tokens per problem, {r.Seconds:F1} s");
    }

    /// <summary>A cell's parameters as text: the question (given per run), <c>--set</c> values, the budget.</summary>
    private static Dictionary<string, string> Settings(EvalStrategy strategy, long budget, EvalRequest request)
    {
        // The question is given per run; parsing only needs it present.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { [strategy.QuestionParameter] = "" };
        foreach (var (name, value) in request.Settings.Sets.Where(s => strategy.Strategy.Parameters.Any(p => p.Name == s.Key)))
        {
            settings[name] = value;
        }

        if (strategy.HasBudget)
        {
            settings[request.BudgetParameter] = budget.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    /// <summary>A cell that fails (a model or runtime error) is reported as failed; the other cells still run.</summary>
    private static EvalResult EvaluateOrFail(
        EvalStrategy strategy, long budget, IEvalTask task, ModelBindings models, FunctionBindings functions, EvalRequest request, IProgress<int> progress)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return Evaluate(strategy, budget, task, models, functions, request, progress);
        }
        catch (Exception exception) when (exception is RuntimeException or ModelException or Engines.Remote.RemoteException)
        {
            return EvalResult.Failure(strategy.Label, budget, task.Problems.Count, clock.Elapsed.TotalSeconds, !strategy.HasBudget, exception.Message);
        }
    }

    /// <summary>One cell: every problem a run (its question a per-run argument), batched by particles; run i is problem i.</summary>
    private static EvalResult Evaluate(
        EvalStrategy strategy, long budget, IEvalTask task, ModelBindings models, FunctionBindings functions, EvalRequest request, IProgress<int> progress)
    {
        var arguments = new Dictionary<string, object>(strategy.Strategy.ParseArguments(Settings(strategy, budget, request)), StringComparer.Ordinal)
        {
            [strategy.QuestionParameter] = new PerRunArgument(task.Problems.Select(p => (object)p.Prompt).ToList()),
        };
        var options = new RunOptions(request.Settings.Seed, task.Problems.Count)
        {
            ParticlesPerBatch = request.ParticlesPerBatch,
            MinParticlesPerRun = (int)Math.Min(budget, int.MaxValue),
            MemoryLimitBytes = request.Settings.MemoryLimit,
            Progress = progress,
        };
        var clock = Stopwatch.StartNew();
        int correct = 0;
        long tokens = 0, rewardCalls = 0;
        foreach (var result in strategy.Strategy.Run(arguments, models, functions, options))
        {
            var problem = task.Problems[result.Run];
            correct += result.Output is { } value && task.IsCorrect(problem, value as string ?? Constants.Format(value)) ? 1 : 0;
            tokens += result.Spent.Tokens;
            rewardCalls += result.Spent.RewardCalls;
        }

        var n = task.Problems.Count;
        var (low, high) = WilsonInterval.Of(correct, n);
        return new EvalResult(strategy.Label, budget, n, correct, low, high, (double)tokens / n, (double)rewardCalls / n, clock.Elapsed.TotalSeconds, Fixed: !strategy.HasBudget);
    }

    /// <summary>Advances a progress bar by the runs of each finished batch.</summary>
    private sealed class Progress(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Increment(value);
    }

    internal sealed record EvalRequest(
        string[] Files, string Task, long[] Budgets, string BudgetParameter, int? Problems, StrategySettings Settings, string? RewardModel, string Extractor,
        string? Out, int ParticlesPerBatch, bool Quick = false);
}
