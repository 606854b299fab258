using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tts.Cli.Binding;
using Tts.Cli.Eval;
using Tts.Cli.Output;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Tasks;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts eval STRATEGY.tts[:NAME]... --task arithmetic|reach|FILE.jsonl [--budgets 1,2,4,...] [--problems N]</c>: runs every
/// strategy at every budget over the task's problems (all problems of a budget batched as independent runs, one
/// question per run), and reports accuracy with 95% Wilson intervals and tokens spent, as a table, a PNG plot and
/// JSON. The budget sets one int parameter of each strategy (<c>--budget-parameter</c>, default <c>n</c>). Declared
/// models bind to <c>--model</c> (default for a generated task: its shipped policy), rewards to the process reward
/// model (<c>--prm</c>), verifiers to the task's exact checker, extractors to the task's answer extractor. Every cell runs
/// through <see cref="EvalSession"/>, the loop `tts tune` uses.
/// </summary>
internal static class EvalCommand
{
    /// <summary>Default particles per batch (runs × budget): bounds the KV cache (about 250 KB per particle for the shipped policy).</summary>
    private const int DefaultParticlesPerBatch = 4096;

    /// <summary>A generated task's full evaluation (<c>--full</c>; for arithmetic the README's table).</summary>
    private const int FullProblems = 200;

    private const string FullBudgets = "1,2,4,8,16";

    /// <summary>The quick run of a generated task, the default: the first problems (ten per level) at three budgets.</summary>
    private const int QuickProblems = 40;

    private const string QuickBudgets = "1,4,16";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("strategies") { Description = "Strategy files, FILE.tts or FILE.tts:NAME to pick one strategy of a file", Arity = ArgumentArity.OneOrMore };
        var task = new Option<string>("--task") { Description = $"A generated task ({GeneratedTasks.Names}: its test split) or a JSONL file of {{\"prompt\": .., \"answer\": ..}}", Required = true };
        var budgets = new Option<string?>("--budgets") { Description = $"Comma-separated budgets (default: {FullBudgets}; {QuickBudgets} for the quick run of a generated task)" };
        var budgetParameter = new Option<string>("--budget-parameter") { Description = "The int parameter each budget sets", DefaultValueFactory = _ => "n" };
        var problems = new Option<int?>("--problems") { Description = $"Number of problems (default: {QuickProblems} for a generated task, {FullProblems} with --full; the whole file for JSONL)" };
        var full = new Option<bool>("--full")
        {
            Description = $"A generated task's full evaluation (for arithmetic the README's table): {FullProblems} problems at budgets {FullBudgets}. Without it, and without --problems and --budgets, a generated task is a quick run: {QuickProblems} problems at budgets {QuickBudgets}",
        };
        var shared = new StrategyOptions();
        shared.Models.Description += DefaultModelsHelp;
        shared.Binds.Description += "; by default rewards bind to --prm, verifiers to the task's checker, extractors to its answer extractor";
        var prm = new Option<string?>("--prm") { Description = DefaultRewardModelHelp };
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
    /// The budgets and problems to run: as given; else, for a generated task, the quick run (a newcomer sees the table
    /// in minutes) or with <c>--full</c> the full evaluation, whose figures the quick run's cells share (problem i and
    /// its random stream are the same whatever the count, and the levels cycle).
    /// </summary>
    private static (string Budgets, int? Problems, bool Quick) Size(string task, string? budgets, int? problems, bool full)
    {
        var isGenerated = GeneratedTasks.Find(task) is not null;
        if (full && !isGenerated)
        {
            throw new CliException("--full is a generated task's full evaluation; for a JSONL task give --problems and --budgets");
        }

        if (full && (budgets is not null || problems is not null))
        {
            throw new CliException($"--full means --problems {FullProblems} --budgets {FullBudgets}: give either --full or those options");
        }

        var quick = isGenerated && !full && budgets is null && problems is null;
        return (budgets ?? (quick ? QuickBudgets : FullBudgets), problems ?? (isGenerated ? (quick ? QuickProblems : FullProblems) : null), quick);
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

    /// <summary>What the --model help adds: the default policy of each generated task.</summary>
    internal static string DefaultModelsHelp =>
        " (default for a generated task: " + string.Join(", ", GeneratedTasks.All.Select(t => $"policy=transformer:{GeneratedEvalTask.DefaultPolicy(t)} for {t.Name}")) + ")";

    internal static string DefaultRewardModelHelp =>
        "Reward model directory every declared reward binds to (default for a generated task: "
        + string.Join(", ", GeneratedTasks.All.Select(t => $"{GeneratedEvalTask.DefaultRewardModel(t)} for {t.Name}")) + ")";

    /// <summary>The models a task binds by default: <c>--model</c> as given, else a generated task's shipped policy.</summary>
    internal static List<ModelSpec> ModelSpecs(IReadOnlyList<string> models, IGeneratedTask? generated) =>
        models.Count > 0 || generated is null
            ? models.Select(ModelSpec.Parse).ToList()
            : [new ModelSpec("policy", "transformer", GeneratedEvalTask.DefaultPolicy(generated))];

    private static int Run(EvalRequest request, TextWriter output, TextWriter error)
    {
        var generated = GeneratedTasks.Find(request.Task);
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

        IEvalTask task = generated is not null
            ? new GeneratedEvalTask(generated, request.Problems ?? FullProblems)
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

        var modelSpecs = ModelSpecs(request.Settings.Models, generated);
        var prmDirectory = request.RewardModel ?? (generated is null ? null : GeneratedEvalTask.DefaultRewardModel(generated));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = 120; // redirected output (a file, CI): wide enough for the table on one line per row
        }

        using var session = EvalSession.Open(task, strategies, request.Settings, modelSpecs, prmDirectory, ClosedOutputWriter.ClosedOf(output));
        CheckBeforeRunning(strategies, task, session.Models, modelSpecs, request);
        var results = new List<EvalResult>();
        if (console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    foreach (var strategy in strategies)
                    {
                        var budgets = strategy.HasBudget ? request.Budgets : [1L];
                        var progress = context.AddTask(strategy.Label, maxValue: budgets.Length * task.Problems.Count);
                        foreach (var budget in budgets)
                        {
                            results.Add(EvaluateOrFail(session, strategy, budget, request, new Progress(progress)));
                        }

                        progress.StopTask(); // its clock stops with its last cell
                    }
                });
        }
        else
        {
            // Redirected (a file, CI): a live display would print a refresh line per tick; one line per finished cell.
            foreach (var strategy in strategies)
            {
                foreach (var budget in strategy.HasBudget ? request.Budgets : [1L])
                {
                    var result = EvaluateOrFail(session, strategy, budget, request, new Progress<int>());
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
            output.WriteLine($"a quick run: the first {task.Problems.Count} test problems at budgets {QuickBudgets}; the full evaluation ({FullProblems} problems at budgets {FullBudgets}, in which each of these problems gets the same outcome at these budgets; for arithmetic the README's table) is one flag away: add --full");
        }
        foreach (var failed in results.Where(r => r.Failed))
        {
            error.WriteLine($"tts eval: {failed.Strategy} at {request.BudgetParameter} = {failed.Budget} failed: {failed.Error}");
        }

        return results.Any(r => r.Failed) ? TtsCommandLine.RunError : TtsCommandLine.Success;
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

    /// <summary>
    /// One cell through the session's loop (every problem a run, its question a per-run argument; run i is problem i);
    /// a cell that fails (a model or runtime error) is reported as failed, and the other cells still run.
    /// </summary>
    private static EvalResult EvaluateOrFail(EvalSession session, EvalStrategy strategy, long budget, EvalRequest request, IProgress<int> progress)
    {
        var clock = Stopwatch.StartNew();
        var n = session.Task.Problems.Count;
        try
        {
            var outcomes = session.Run(
                strategy, Settings(strategy, budget, request), 0, n,
                new EvalRunOptions(request.Settings.Seed, request.ParticlesPerBatch, (int)Math.Min(budget, int.MaxValue), request.Settings.MemoryLimit), progress);
            var correct = outcomes.Count(o => o.Correct);
            var (low, high) = WilsonInterval.Of(correct, n);
            return new EvalResult(
                strategy.Label, budget, n, correct, low, high, outcomes.Average(o => (double)o.Tokens), outcomes.Average(o => (double)o.RewardCalls),
                clock.Elapsed.TotalSeconds, Fixed: !strategy.HasBudget, RedrawnTokensPerProblem: outcomes.Average(o => (double)o.RedrawnTokens));
        }
        catch (Exception exception) when (exception is RuntimeException or ModelException or Engines.Remote.RemoteException)
        {
            return EvalResult.Failure(strategy.Label, budget, n, clock.Elapsed.TotalSeconds, !strategy.HasBudget, exception.Message);
        }
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
