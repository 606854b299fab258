using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Hosting;

/// <summary>
/// The entry point of generated run methods: checks the arguments, runs the emitted Run method on a pool thread with a
/// runtime for the options, honours cancellation. (That generated code gives what <c>tts run</c> gives is
/// Cli.Tests/GeneratedStrategies.)
/// </summary>
public sealed class StrategyHostTests
{
    private static readonly StrategyParameter[] Parameters = { new("prompt", "text"), new("n", "int"), new("temperature", "real"), new("greedy", "bool") };

    private static Dictionary<string, object> Arguments() => new() { ["prompt"] = "", ["n"] = 2L, ["temperature"] = 1.0, ["greedy"] = false };

    private static Task<IReadOnlyList<RunResult>> Run(
        IReadOnlyDictionary<string, object> arguments,
        Func<StrategyRuntime, IReadOnlyDictionary<string, object>, IReadOnlyList<RunResult>>? run = null,
        CancellationToken token = default) =>
        StrategyHost.RunAsync(
            "draw", Parameters, run ?? ((rt, _) => rt.Results(new object?[rt.Runs])), arguments, new ModelBindings(), new FunctionBindings(), new RunOptions(Seed: 3, Runs: 4, FirstRun: 2), token);

    [Fact]
    public async Task Runs_the_emitted_method_on_a_pool_thread_with_a_runtime_for_the_options()
    {
        StrategyRuntime? seen = null;
        var onPool = false;
        var results = await Run(Arguments(), (rt, args) =>
        {
            seen = rt;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return rt.Results(Enumerable.Range(0, rt.Runs).Select(i => (object?)((string)args["prompt"] + i)).ToArray());
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
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Arguments(), (rt, _) => { ran = true; return rt.Results(new object?[rt.Runs]); }, cancelled.Token));
        Assert.False(ran);

        using var live = new CancellationTokenSource();
        var token = CancellationToken.None;
        await Run(Arguments(), (rt, _) => { token = rt.Cancellation; return rt.Results(new object?[rt.Runs]); }, live.Token);
        Assert.Equal(live.Token, token);
    }

    [Fact]
    public async Task A_strategy_that_cannot_run_says_why_as_tts_run_does()
    {
        var error = await Assert.ThrowsAsync<RuntimeException>(() => Run(Arguments(), StrategyHost.CannotRun("draw", "`ps` is spawned but no smc or search block extends it")));
        Assert.Equal("strategy 'draw' checks, but cannot run yet: `ps` is spawned but no smc or search block extends it", error.Message);
    }
}
