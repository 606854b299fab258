using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tts.Cli.Eval;
using Tts.Compiler.Driver;
using Tts.Compiler.IR;
using Tts.Language.Binding.Types;
using Tts.Language.Syntax.Nodes;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
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

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("strategies") { Description = "Strategy files, FILE.tts or FILE.tts:NAME to pick one strategy of a file", Arity = ArgumentArity.OneOrMore };
        var task = new Option<string>("--task") { Description = "arithmetic (the shipped task's test split) or a JSONL file of {\"prompt\": .., \"answer\": ..}", Required = true };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets", DefaultValueFactory = _ => "1,2,4,8,16" };
        var budgetParameter = new Option<string>("--budget-parameter") { Description = "The int parameter each budget sets", DefaultValueFactory = _ => "n" };
        var problems = new Option<int?>("--problems") { Description = "Number of problems (default: 200 for arithmetic, the whole file for JSONL)" };
        var models = new Option<string[]>("--model") { Description = $"Bind a declared model: NAME=transformer:DIR or NAME=tabular:PATH (default for arithmetic: policy=transformer:{DefaultPolicy})" };
        var prm = new Option<string?>("--prm") { Description = $"Reward model directory every declared reward binds to (default for arithmetic: {DefaultRewardModel})" };
        var extractor = new Option<string>("--extractor") { Description = $"JSONL tasks: how answers are read ({string.Join(", ", JsonlEvalTask.Extractors)})", DefaultValueFactory = _ => "answer" };
        var sets = new Option<string[]>("--set") { Description = "Set another strategy parameter: NAME=VALUE (repeatable)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the runs", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string?>("--out") { Description = "Folder for results.json and accuracy.png (default: runs/eval-TIMESTAMP)" };
        var batchParticles = new Option<int>("--batch-particles")
        {
            Description = "Runs of one batch times the budget: lower it when a strategy holds more particles than its budget (a search's children, diverse groups) and the KV cache overflows",
            DefaultValueFactory = _ => DefaultParticlesPerBatch,
        };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var command = new Command("eval", "Accuracy against budget of strategies on a task: table, plot and JSON")
        {
            files, task, budgets, budgetParameter, problems, models, prm, extractor, sets, seed, outDir, batchParticles, device,
        };
        command.SetAction(result => Run(
            new EvalRequest(
                result.GetValue(files)!,
                result.GetValue(task)!,
                ParseBudgets(result.GetValue(budgets)!),
                result.GetValue(budgetParameter)!,
                result.GetValue(problems),
                result.GetValue(models) ?? [],
                result.GetValue(prm),
                result.GetValue(extractor)!,
                result.GetValue(sets) ?? [],
                result.GetValue(seed),
                result.GetValue(outDir),
                result.GetValue(batchParticles),
                result.GetValue(device) switch { "cpu" => DevicePreference.Cpu, "cuda" => DevicePreference.Cuda, _ => DevicePreference.Auto }),
            output,
            error));
        return command;
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
        IEvalTask task = isArithmetic
            ? new ArithmeticEvalTask(request.Problems ?? 200)
            : JsonlEvalTask.Load(request.Task, request.Extractor, request.Problems);
        if (task.Problems.Count < 1)
        {
            throw new CliException("--problems must be at least 1");
        }

        if (request.ParticlesPerBatch < 1)
        {
            throw new CliException("--batch-particles must be at least 1");
        }

        var strategies = request.Files.Select(spec => LoadStrategy(spec, request, error)).ToList();
        var modelSpecs = request.Models.Length > 0 || !isArithmetic
            ? request.Models.Select(ModelSpec.Parse).ToList()
            : [new ModelSpec("policy", "transformer", DefaultPolicy)];
        var prmDirectory = request.RewardModel ?? (isArithmetic ? DefaultRewardModel : null);
        var needsReward = strategies.Any(s => s.Compilation.Bound.Functions.Any(f => f.Kind == FunctionKind.Reward));
        if (needsReward && prmDirectory is null)
        {
            throw new CliException("a strategy declares a reward: give --prm DIR (a reward model directory)");
        }

        var outDir = request.Out ?? Path.Combine("runs", "eval-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = 120; // redirected output (a file, CI): wide enough for the table on one line per row
        }

        var loaded = new List<IDisposable>();
        try
        {
            var bindings = new ModelBindings();
            foreach (var spec in modelSpecs)
            {
                var model = spec.Load(request.Device);
                loaded.Add(model);
                bindings.Bind(spec.Name, model);
            }

            TransformerRewardModel? rewardModel = null;
            if (needsReward)
            {
                rewardModel = TransformerRewardModel.Load(prmDirectory!, new TransformerOptions { Device = request.Device });
                loaded.Add(rewardModel);
            }

            var results = new List<EvalResult>();
            var total = strategies.Count * request.Budgets.Length;
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
                            results.Add(EvaluateOrFail(strategy, budget, task, bindings, rewardModel, request, done => progress.Increment(done)));
                        }
                    }
                });

            Directory.CreateDirectory(outDir);
            var title = $"{task.Name}: {task.Problems.Count} problems";
            ResultsReport.WriteTable(console, title, results, request.BudgetParameter);
            ResultsReport.WriteJson(Path.Combine(outDir, "results.json"), task, request, modelSpecs, prmDirectory, results);
            ResultsPlot.Save(Path.Combine(outDir, "accuracy.png"), title, results, request.BudgetParameter);
            output.WriteLine($"wrote {Path.Combine(outDir, "results.json")} and {Path.Combine(outDir, "accuracy.png")}");
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

    /// <summary>A cell that fails (a model or runtime error) is reported as failed; the other cells still run.</summary>
    private static EvalResult EvaluateOrFail(
        EvalStrategy strategy, long budget, IEvalTask task, ModelBindings models, TransformerRewardModel? rewardModel, EvalRequest request, Action<int> advance)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return Evaluate(strategy, budget, task, models, rewardModel, request, advance);
        }
        catch (Exception exception) when (exception is RuntimeException or ModelException)
        {
            return EvalResult.Failure(strategy.Label, budget, task.Problems.Count, clock.Elapsed.TotalSeconds, !strategy.HasBudget, exception.Message);
        }
    }

    private static EvalResult Evaluate(
        EvalStrategy strategy, long budget, IEvalTask task, ModelBindings models, TransformerRewardModel? rewardModel, EvalRequest request, Action<int> advance)
    {
        // The question is given per run below; the binder only needs it present.
        var settings = new Dictionary<string, string>(strategy.Settings, StringComparer.Ordinal) { [strategy.QuestionParameter] = "" };
        if (strategy.HasBudget)
        {
            settings[request.BudgetParameter] = budget.ToString(CultureInfo.InvariantCulture);
        }

        var arguments = new Dictionary<string, object>(ArgumentBinder.Bind(strategy.Function.Name, strategy.Function.Parameters, settings), StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var problemsPerBatch = (int)Math.Clamp(request.ParticlesPerBatch / budget, 1, task.Problems.Count);
        int correct = 0;
        long tokens = 0, rewardCalls = 0;
        for (var first = 0; first < task.Problems.Count; first += problemsPerBatch)
        {
            var batch = task.Problems.Skip(first).Take(problemsPerBatch).ToList();
            arguments[strategy.QuestionParameter] = new PerRunArgument(batch.Select(p => (object)p.Prompt).ToList());
            var functions = BindFunctions(strategy, task, batch, rewardModel);
            var results = IrExecutor.Execute(strategy.Function, arguments, models, functions, new RunOptions(request.Seed, batch.Count, first));
            for (var i = 0; i < batch.Count; i++)
            {
                correct += results[i].Output is { } value && task.IsCorrect(batch[i], value as string ?? Tts.Language.Binding.Constants.Format(value)) ? 1 : 0;
                tokens += results[i].Spent.Tokens;
                rewardCalls += results[i].Spent.RewardCalls;
            }

            advance(batch.Count);
        }

        var n = task.Problems.Count;
        var (low, high) = WilsonInterval.Of(correct, n);
        return new EvalResult(strategy.Label, budget, n, correct, low, high, (double)tokens / n, (double)rewardCalls / n, clock.Elapsed.TotalSeconds, Fixed: !strategy.HasBudget);
    }

    private static FunctionBindings BindFunctions(EvalStrategy strategy, IEvalTask task, IReadOnlyList<EvalProblem> batch, TransformerRewardModel? rewardModel)
    {
        var functions = new FunctionBindings();
        var prompts = batch.Select(p => p.Prompt).ToList();
        foreach (var declared in strategy.Compilation.Bound.Functions)
        {
            switch (declared.Kind)
            {
                case FunctionKind.Reward when declared.ResultType.Kind == TypeKind.Prob:
                    throw new CliException($"{strategy.Label}: reward '{declared.Name}' is declared Prob; the reward model gives a Score: declare it `reward {declared.Name}: Score`");
                case FunctionKind.Reward:
                    functions.BindReward(declared.Name, new RewardModelReward(rewardModel!, prompts));
                    break;
                case FunctionKind.Verifier:
                    functions.BindVerifier(declared.Name, task.Verifier(batch));
                    break;
                default:
                    functions.BindExtractor(declared.Name, task.Extractor());
                    break;
            }
        }

        return functions;
    }

    private static EvalStrategy LoadStrategy(string spec, EvalRequest request, TextWriter error)
    {
        var colon = spec.LastIndexOf(':');
        var (path, name) = colon > 0 && !File.Exists(spec) ? (spec[..colon], spec[(colon + 1)..]) : (spec, null);
        var compilation = SourceLoader.Compile(path);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            Output.DiagnosticFormatter.Write(error, diagnostic, compilation.Syntax.Source);
        }

        if (compilation.HasErrors)
        {
            throw new CliException($"{path} does not compile");
        }

        var function = RunCommand.SelectStrategy(compilation, name);
        // A strategy without the budget parameter (a single sample) runs once: the baseline drawn across all budgets.
        var budget = function.Parameters.FirstOrDefault(p => p.Name == request.BudgetParameter);
        if (budget is not null && !budget.Type.Equals(TtsType.Int))
        {
            throw new CliException($"{path}: parameter '{request.BudgetParameter}' of strategy '{function.Name}' is {budget.Type}, but a budget must be an int (choose another with --budget-parameter)");
        }

        var question = function.Parameters.FirstOrDefault(p => p.Name == "prompt")
                       ?? function.Parameters.FirstOrDefault(p => p.Type.Equals(TtsType.Text))
                       ?? throw new CliException($"{path}: strategy '{function.Name}' has no text parameter for the question");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in request.Sets)
        {
            var equals = set.IndexOf('=');
            if (equals <= 0)
            {
                throw new CliException($"bad --set '{set}': write NAME=VALUE");
            }

            // A setting applies to the strategies that have the parameter.
            if (function.Parameters.Any(p => p.Name == set[..equals]))
            {
                settings[set[..equals]] = set[(equals + 1)..];
            }
        }

        return new EvalStrategy(function.Name, compilation, function, question.Name, settings, HasBudget: budget is not null);
    }

    private sealed record EvalStrategy(
        string Label, Compilation Compilation, IrFunction Function, string QuestionParameter, IReadOnlyDictionary<string, string> Settings, bool HasBudget);

    internal sealed record EvalRequest(
        string[] Files, string Task, long[] Budgets, string BudgetParameter, int? Problems, string[] Models, string? RewardModel, string Extractor,
        string[] Sets, ulong Seed, string? Out, int ParticlesPerBatch, DevicePreference Device);
}
