using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Runtime.Tests.Hosting;

/// <summary>
/// The one road of every run (generated run methods, and through src/Execution every command): checks the arguments
/// and bindings, runs the body on a pool thread with a runtime per batch, honours cancellation. (That generated code
/// gives what <c>tts run</c> gives is Cli.Tests/GeneratedStrategies.)
/// </summary>
public sealed class StrategyRunnerTests
{
    private static readonly StrategyParameter[] Parameters =
        { new("prompt", TtsType.Text), new("n", TtsType.Int), new("temperature", TtsType.Real), new("greedy", TtsType.Bool) };

    private static RunnableStrategy Strategy(StrategyBody body, params StrategyRequirement[] requirements) =>
        new("draw", "exact", Parameters, requirements, body, new ParticleCounts(1, new[] { "n" }));

    private static Dictionary<string, object> Arguments() => new() { ["prompt"] = "", ["n"] = 2L, ["temperature"] = 1.0, ["greedy"] = false };

    private static Task<IReadOnlyList<RunResult>> Run(
        IReadOnlyDictionary<string, object> arguments,
        StrategyBody? run = null,
        CancellationToken token = default,
        RunOptions? options = null) =>
        StrategyRunner.RunAsync(
            Strategy(run ?? ((rt, _) => rt.Results(new RunValues(new object?[rt.Runs])))), arguments, new ModelBindings(), new FunctionBindings(),
            options ?? new RunOptions(Seed: 3, Runs: 4, FirstRun: 2), token);

    [Fact]
    public async Task Runs_the_emitted_method_on_a_pool_thread_with_a_runtime_for_the_options()
    {
        StrategyRuntime? seen = null;
        var onPool = false;
        var results = await Run(Arguments(), (rt, args) =>
        {
            seen = rt;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return rt.Results(new RunValues(Enumerable.Range(0, rt.Runs).Select(i => (object?)((string)args["prompt"] + i)).ToArray()));
        });

        Assert.True(onPool);
        Assert.Equal(3UL, seen!.Seed);
        Assert.Equal(new[] { 2, 3, 4, 5 }, results.Select(r => r.Run));
        Assert.Equal(new object?[] { "0", "1", "2", "3" }, results.Select(r => r.Output));
    }

    [Fact]
    public async Task Arguments_are_checked_by_name_and_type()
    {
        var missing = Arguments();
        missing.Remove("n");
        Assert.Equal("strategy 'draw' needs a value for parameter 'n: int'", (await Assert.ThrowsAsync<RuntimeException>(() => Run(missing))).Message);

        var wrongType = Arguments();
        wrongType["n"] = 2;
        Assert.Equal("parameter 'n' is int, but the value given is a Int32", (await Assert.ThrowsAsync<RuntimeException>(() => Run(wrongType))).Message);

        var notANumber = Arguments();
        notANumber["temperature"] = double.NaN;
        Assert.Equal("parameter 'temperature' is real, but the value given is a Double", (await Assert.ThrowsAsync<RuntimeException>(() => Run(notANumber))).Message);

        var extra = Arguments();
        extra["m"] = 1L;
        Assert.Equal("strategy 'draw' has no parameter 'm'", (await Assert.ThrowsAsync<RuntimeException>(() => Run(extra))).Message);
    }

    [Fact]
    public async Task A_cancelled_token_runs_nothing_and_reaches_the_runtime()
    {
        var ran = false;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Arguments(), (rt, _) => { ran = true; return rt.Results(new RunValues(new object?[rt.Runs])); }, cancelled.Token));
        Assert.False(ran);

        using var live = new CancellationTokenSource();
        var token = CancellationToken.None;
        await Run(Arguments(), (rt, _) => { token = rt.Cancellation; return rt.Results(new RunValues(new object?[rt.Runs])); }, live.Token);
        Assert.Equal(live.Token, token);
    }

    [Fact]
    public async Task A_strategy_that_cannot_run_says_why_as_tts_run_does()
    {
        var error = await Assert.ThrowsAsync<RuntimeException>(() => Run(Arguments(), RunnableStrategy.CannotRun("draw", "`ps` is spawned but no smc or search block extends it")));
        Assert.Equal("strategy 'draw' checks, but cannot run yet: `ps` is spawned but no smc or search block extends it", error.Message);
    }

    [Fact]
    public async Task Runs_are_split_into_batches_by_particles_with_per_run_arguments_sliced()
    {
        var batches = new List<(int FirstRun, int Runs, string[] Prompts)>();
        var arguments = Arguments();
        arguments["prompt"] = new PerRunArgument(Enumerable.Range(0, 10).Select(i => (object)("q" + i)).ToList());
        arguments["n"] = 4L;
        var progress = new List<int>();
        var results = await Run(
            arguments,
            (rt, args) =>
            {
                var prompts = ((PerRunArgument)args["prompt"]).Values.Cast<string>().ToArray();
                batches.Add((rt.Results(new RunValues(new object?[rt.Runs]))[0].Run, rt.Runs, prompts));
                return rt.Results(new RunValues(prompts.Cast<object?>().ToArray()));
            },
            options: new RunOptions(Seed: 1, Runs: 10, FirstRun: 5) { ParticlesPerBatch = 16, Progress = new SynchronousProgress(progress) });

        // 16 particles per batch, 4 per run: batches of 4 runs; run indices and per-run values stay aligned.
        Assert.Equal(new[] { (5, 4), (9, 4), (13, 2) }, batches.Select(b => (b.FirstRun, b.Runs)));
        Assert.Equal(new[] { "q4", "q5", "q6", "q7" }, batches[1].Prompts);
        Assert.Equal(Enumerable.Range(5, 10), results.Select(r => r.Run));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object?)("q" + i)), results.Select(r => r.Output));
        Assert.Equal(new[] { 4, 4, 2 }, progress);
    }

    [Fact]
    public async Task Everything_used_must_be_bound_before_anything_runs()
    {
        var ran = false;
        var strategy = Strategy(
            (rt, _) => { ran = true; return rt.Results(new RunValues(new object?[rt.Runs])); },
            StrategyRequirement.Model("policy"),
            StrategyRequirement.Function(FunctionKind.Reward, "prm", TtsType.Score));
        var error = await Assert.ThrowsAsync<RuntimeException>(() =>
            StrategyRunner.RunAsync(strategy, Arguments(), new ModelBindings(), new FunctionBindings(), new RunOptions()));
        Assert.Equal("strategy 'draw': model 'policy', reward 'prm' (Score) are not bound", error.Message);
        Assert.False(ran);
    }

    private sealed class SynchronousProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value) => seen.Add(value);
    }
}
