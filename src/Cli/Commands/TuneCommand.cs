using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tts.Cli.Binding;
using Tts.Cli.Eval;
using Tts.Cli.Output;
using Tts.Cli.Tune;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Tasks;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts tune STRATEGY.tts[:NAME]... --task arithmetic|reach|FILE.jsonl [--range [STRATEGY.]PARAM=V1,V2,...]... [--dev N]
/// [--held-out N] [--search auto|grid|halving] [--max-tokens T] [--max-static-tokens T]</c>: searches the strategies'
/// parameter space on a development split (a grid, or successive halving for a large space), evaluates the development
/// frontier of accuracy against tokens per problem on a held-out split, prints and plots it with 95% intervals, and
/// writes the most accurate strategy within the budget as a <c>.tts</c> file with its parameters bound.
/// Every run goes through <see cref="EvalSession"/>, the loop `tts eval` uses.
/// </summary>
internal static class TuneCommand
{
    /// <summary>The budget parameter's range when no <c>--range</c> names it.</summary>
    public const string DefaultBudgets = "1,2,4,8,16";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("strategies") { Description = "Strategy files, FILE.tts or FILE.tts:NAME", Arity = ArgumentArity.OneOrMore };
        var task = new Option<string>("--task") { Description = $"A generated task ({GeneratedTasks.Names}; dev: test-split problems of another seed; held-out: its standard test set) or a JSONL file (dev: its first problems; held-out: the next)", Required = true };
        var ranges = new Option<string[]>("--range") { Description = $"A parameter's values, PARAM=V1,V2,... or STRATEGY.PARAM=V1,V2,... (repeatable; default for the budget parameter: {DefaultBudgets})" };
        var budgetParameter = new Option<string>("--budget-parameter") { Description = "The int parameter ranged by default", DefaultValueFactory = _ => "n" };
        var dev = new Option<int>("--dev") { Description = "Development problems (the search)", DefaultValueFactory = _ => 100 };
        var heldOut = new Option<int>("--held-out") { Description = "Held-out problems (the frontier's reported numbers)", DefaultValueFactory = _ => 200 };
        var search = new Option<string>("--search") { Description = "grid, halving (successive halving), or auto: grid up to 8 candidates", DefaultValueFactory = _ => "auto" };
        search.AcceptOnlyFromAmong("auto", "grid", "halving");
        var eta = new Option<int>("--eta") { Description = "Successive halving: keep 1/eta of the candidates per rung, each rung eta times the problems", DefaultValueFactory = _ => 3 };
        var minRung = new Option<int>("--min-rung")
        {
            // Measured: on 12 problems the n > 1 candidates tied a 1-line beam (11 of 12) at more tokens and were all
            // dropped as dominated; and a run's cost is mostly its decode steps, so small rungs save little.
            Description = "Successive halving: the fewest problems of the first rung",
            DefaultValueFactory = _ => 30,
        };
        var maxTokens = new Option<double?>("--max-tokens") { Description = "Compute budget: the chosen strategy's mean tokens per development problem must not exceed it" };
        var maxStatic = new Option<long?>("--max-static-tokens") { Description = "Leave out, before anything runs, candidates whose compile-time worst case per problem exceeds this many tokens" };
        var shared = new StrategyOptions();
        shared.Models.Description += EvalCommand.DefaultModelsHelp;
        var prm = new Option<string?>("--prm") { Description = EvalCommand.DefaultRewardModelHelp };
        var extractor = new Option<string>("--extractor") { Description = $"JSONL tasks: how answers are read ({string.Join(", ", JsonlEvalTask.Extractors)})", DefaultValueFactory = _ => "answer" };
        var outDir = new Option<string?>("--out") { Description = "Folder for tune.json, frontier.png and tuned.tts (default: runs/tune-TIMESTAMP)" };
        var batchParticles = new Option<int>("--batch-particles") { Description = "Runs of one batch times their particles", DefaultValueFactory = _ => 4096 };
        var adaptive = new Option<bool>("--adaptive") { Description = "Also learn a per-difficulty rule and compare adaptive allocation across problems with uniform, on the held-out split" };
        var pool = new Option<int>("--pool") { Description = "--adaptive: independent single samples drawn per problem", DefaultValueFactory = _ => 8 };
        var poolStrategy = new Option<string?>("--pool-strategy") { Description = "--adaptive: the single-sample strategy (default: the first given strategy without the budget parameter)" };
        var command = new Command("tune", "Search strategies and their parameters for the best accuracy per token: frontier, plot and the chosen .tts")
        {
            files, task, ranges, budgetParameter, dev, heldOut, search, eta, minRung, maxTokens, maxStatic, prm, extractor, outDir, batchParticles, adaptive, pool, poolStrategy,
        };
        shared.AddTo(command);
        command.SetAction(result => Run(
            new TuneRequest(
                result.GetValue(files)!, result.GetValue(task)!, result.GetValue(ranges) ?? [], result.GetValue(budgetParameter)!, result.GetValue(dev),
                result.GetValue(heldOut), result.GetValue(search)!, result.GetValue(eta), result.GetValue(minRung), result.GetValue(maxTokens), result.GetValue(maxStatic),
                shared.Read(result), result.GetValue(prm), result.GetValue(extractor)!, result.GetValue(outDir), result.GetValue(batchParticles),
                result.GetValue(adaptive) ? result.GetValue(pool) : null, result.GetValue(poolStrategy)),
            output,
            error));
        return command;
    }

    private static int Run(TuneRequest request, TextWriter output, TextWriter error)
    {
        Validate(request);
        // Everything that can be checked is checked before anything runs: the destination, the files, the space.
        var outDir = request.Out ?? Path.Combine("runs", "tune-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        foreach (var name in TuneReport.Files.Where(name => File.Exists(Path.Combine(outDir, name))))
        {
            throw new CliException($"--out {outDir}: it already holds {name}; choose another folder (results are never overwritten)");
        }

        var generated = GeneratedTasks.Find(request.Task);
        var splits = generated is not null
            ? TuneSplits.Generated(generated, request.Dev, request.HeldOut)
            : TuneSplits.Jsonl(request.Task, request.Extractor, request.Dev, request.HeldOut);
        var strategies = request.Files.Select(spec => EvalStrategy.Load(spec, request.BudgetParameter, error)).ToList();
        foreach (var duplicate in strategies.GroupBy(s => s.Label).Where(g => g.Count() > 1))
        {
            throw new CliException($"strategy '{duplicate.Key}' is given twice");
        }

        var sampler = request.Pool is null ? null : PoolStrategy(request, strategies, error);
        var ranges = request.Ranges.Select(ParameterRange.Parse).ToList();
        if (ranges.All(r => r.Parameter != request.BudgetParameter) && strategies.Any(s => s.HasBudget))
        {
            ranges.Add(new ParameterRange(null, request.BudgetParameter, DefaultBudgets.Split(',')));
        }

        foreach (var name in request.Settings.Sets.Keys.Where(name => strategies.All(s => s.Strategy.Parameters.All(p => p.Name != name))))
        {
            throw new CliException($"--set {name}=...: no strategy has a parameter '{name}'");
        }

        var all = ParameterSpace.Expand(strategies, ranges, request.Settings.Sets);
        var candidates = all.Where(c => request.MaxStaticTokens is not { } cap || c.StaticTokens is { } bound && bound <= cap).ToList();
        if (candidates.Count == 0)
        {
            throw new CliException($"--max-static-tokens {request.MaxStaticTokens}: no candidate's worst case fits (the smallest is {all.Min(c => c.StaticTokens)})");
        }

        var useGrid = request.Search == "grid" || (request.Search == "auto" && candidates.Count <= 8);
        var rungs = useGrid ? [request.Dev] : SuccessiveHalving.Rungs(candidates.Count, request.Dev, request.Eta, request.MinRung);
        output.WriteLine(
            $"{candidates.Count} candidates ({all.Count - candidates.Count} over --max-static-tokens) from {strategies.Count} strategies; "
            + (useGrid ? $"grid on {request.Dev} development problems" : $"successive halving (eta {request.Eta}) on {string.Join(", ", rungs)} development problems")
            + $"; then the development frontier on {request.HeldOut} held-out problems");

        var modelSpecs = EvalCommand.ModelSpecs(request.Settings.Models, generated);
        var prmDirectory = request.RewardModel ?? (generated is null ? null : GeneratedEvalTask.DefaultRewardModel(generated));
        var clock = Stopwatch.StartNew();
        using var session = EvalSession.Open(splits, sampler is null || strategies.Contains(sampler) ? strategies : [.. strategies, sampler], request.Settings, modelSpecs, prmDirectory, ClosedOutputWriter.ClosedOf(output));
        var seconds = new Dictionary<TuneCandidate, double>(ReferenceEqualityComparer.Instance);
        IReadOnlyList<ProblemOutcome> Evaluate(TuneCandidate candidate, int first, int count)
        {
            var watch = Stopwatch.StartNew();
            var budget = candidate.SettingsByName.TryGetValue(request.BudgetParameter, out var b) && int.TryParse(b, CultureInfo.InvariantCulture, out var n) ? n : 1;
            try
            {
                var outcomes = session.Run(candidate.Strategy, candidate.SettingsByName, first, count, new EvalRunOptions(request.Settings.Seed, request.ParticlesPerBatch, Math.Max(1, budget), request.Settings.MemoryLimit));
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {candidate.Label}: problems {first}..{first + count - 1}, {outcomes.Count(o => o.Correct)} right, {outcomes.Average(o => (double)o.Tokens):F0} tokens each, {watch.Elapsed.TotalSeconds:F1} s"));
                return outcomes;
            }
            catch (Exception exception) when (exception is RuntimeException or ModelException or Engines.Remote.RemoteException)
            {
                throw new TuneEvaluationException(exception.Message);
            }
            finally
            {
                seconds[candidate] = seconds.GetValueOrDefault(candidate) + watch.Elapsed.TotalSeconds;
            }
        }

        var entries = SuccessiveHalving.Run(
            candidates, rungs, request.Eta, Evaluate,
            (rung, alive, problems) => output.WriteLine($"rung {rung + 1} of {rungs.Count}: {alive} candidates on {problems} problems ({clock.Elapsed.TotalSeconds:F0} s so far)"));
        var finished = entries.Where(e => e.Error is null && e.Rung == rungs.Count - 1).ToList();
        if (finished.Count == 0)
        {
            throw new CliException($"every candidate failed; the first: {entries.First(e => e.Error is not null).Error}");
        }

        var devFrontier = ParetoFrontier.Frontier(finished.Select(e => (e.Summary.Tokens, e.Summary.Accuracy)).ToList()).Select(i => finished[i]).ToList();
        output.WriteLine($"development frontier: {devFrontier.Count} candidates; held-out evaluation ({clock.Elapsed.TotalSeconds:F0} s so far)");
        var heldOut = new List<HeldOutResult>();
        foreach (var entry in devFrontier)
        {
            try
            {
                var outcomes = Evaluate(entry.Candidate, splits.Dev, splits.HeldOut);
                heldOut.Add(new HeldOutResult(entry, outcomes, OutcomeSummary.Of(outcomes)));
            }
            catch (TuneEvaluationException exception)
            {
                entry.Error = "held-out: " + exception.Message;
            }
        }

        var chosen = Choose(devFrontier.Where(e => e.Error is null).ToList(), request.MaxTokens);
        TuneAdaptive? adaptive = null;
        if (sampler is not null)
        {
            output.WriteLine($"--adaptive: {request.Pool} samples per problem of {sampler.Label} ({clock.Elapsed.TotalSeconds:F0} s so far)");
            adaptive = new TuneAdaptive(splits, (problem, answer) => splits.IsCorrect(splits.Problems[problem], answer));
            var samples = TuneAdaptive.DrawPool(session, sampler, request.Pool!.Value, new EvalRunOptions(request.Settings.Seed, request.ParticlesPerBatch, MemoryLimit: request.Settings.MemoryLimit), splits.Problems.Count);
            var devPool = samples.Take(splits.Dev).ToList();
            var heldOutPool = samples.Skip(splits.Dev).ToList();
            adaptive.CompareAllocations(heldOutPool);
            adaptive.LearnRouting(devPool, heldOutPool, finished, heldOut, candidate => Evaluate(candidate, splits.Dev, splits.HeldOut));
        }

        var report = new TuneReport(splits, request, rungs, useGrid, entries, heldOut, chosen, seconds, clock.Elapsed.TotalSeconds);
        Directory.CreateDirectory(outDir);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = 140;
        }

        report.WriteTables(console);
        report.Save(outDir);
        adaptive?.WriteTables(console);
        adaptive?.WriteJson(Path.Combine(outDir, "adaptive.json"));
        output.WriteLine(chosen is null
            ? $"no candidate's mean tokens per development problem is within --max-tokens {request.MaxTokens}; no tuned.tts written"
            : $"chosen: {chosen.Candidate.Label}");
        output.WriteLine($"wrote {string.Join(", ", TuneReport.Files.Where(f => File.Exists(Path.Combine(outDir, f))).Select(f => Path.Combine(outDir, f)))} in {clock.Elapsed.TotalSeconds:F0} s");
        foreach (var failed in entries.Where(e => e.Error is not null))
        {
            error.WriteLine($"tts tune: {failed.Candidate.Label} failed: {failed.Error}");
        }

        return chosen is null ? TtsCommandLine.RunError : TtsCommandLine.Success;
    }

    /// <summary>The most accurate on the development split within the budget, the cheaper on a tie; never the held-out numbers.</summary>
    internal static SearchEntry<TuneCandidate>? Choose(IReadOnlyList<SearchEntry<TuneCandidate>> frontier, double? maxTokens) =>
        frontier.Where(e => maxTokens is not { } cap || e.Summary.Tokens <= cap)
            .OrderByDescending(e => e.Summary.Correct).ThenBy(e => e.Summary.Tokens)
            .FirstOrDefault();

    /// <summary>The strategy whose single samples --adaptive pools: --pool-strategy, or the first given without the budget parameter.</summary>
    private static EvalStrategy PoolStrategy(TuneRequest request, IReadOnlyList<EvalStrategy> strategies, TextWriter error)
    {
        var sampler = request.PoolStrategy is { } spec
            ? EvalStrategy.Load(spec, request.BudgetParameter, error)
            : strategies.FirstOrDefault(s => !s.HasBudget)
              ?? throw new CliException($"--adaptive: give --pool-strategy FILE.tts (a single sample), or a strategy without the parameter '{request.BudgetParameter}'");
        return sampler.Strategy.Parameters.Any(p => p.Name != sampler.QuestionParameter && p.Default is null)
            ? throw new CliException($"--pool-strategy {sampler.Label}: every parameter but the question needs a default")
            : sampler;
    }

    private static void Validate(TuneRequest request)
    {
        if (request.Pool is < 2)
        {
            throw new CliException($"--pool must be at least 2, but it is {request.Pool}");
        }

        if (request.Dev < 1 || request.HeldOut < 1)
        {
            throw new CliException($"--dev and --held-out must be at least 1, but they are {request.Dev} and {request.HeldOut}");
        }

        if (request.MinRung < 1)
        {
            throw new CliException($"--min-rung must be at least 1, but it is {request.MinRung}");
        }

        if (request.Eta < 2)
        {
            throw new CliException($"--eta must be at least 2, but it is {request.Eta}");
        }

        if (request.ParticlesPerBatch < 1)
        {
            throw new CliException("--batch-particles must be at least 1");
        }

        if (request.MaxTokens is <= 0 || request.MaxStaticTokens is <= 0)
        {
            throw new CliException("--max-tokens and --max-static-tokens must be positive");
        }
    }

    internal sealed record TuneRequest(
        string[] Files, string Task, string[] Ranges, string BudgetParameter, int Dev, int HeldOut, string Search, int Eta, int MinRung, double? MaxTokens,
        long? MaxStaticTokens, StrategySettings Settings, string? RewardModel, string Extractor, string? Out, int ParticlesPerBatch, int? Pool, string? PoolStrategy);
}
