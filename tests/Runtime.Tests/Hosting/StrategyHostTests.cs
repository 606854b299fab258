using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.TestSupport;

namespace Tts.Runtime.Tests.Hosting;

/// <summary>The entry point of generated run methods: compile once, check the arguments, run, honour cancellation.</summary>
public sealed class StrategyHostTests : IDisposable
{
    private const string Source = """
        model policy: lm

        strategy draw(prompt: text = "", n: int = 2, temperature: real = 1.0) -> text {
            population xs = sample policy(prompt, n: n, temperature: temperature)
            return sample(xs)
        }
        """;

    private readonly TabularModel _model = TabularModel.Load(RepoPaths.Combine("examples", "models", "abc.json"));

    public void Dispose() => _model.Dispose();

    private Task<IReadOnlyList<RunResult>> Run(IReadOnlyDictionary<string, object> arguments, string source = Source, string strategy = "draw", CancellationToken token = default) =>
        StrategyHost.RunAsync(source, "draw.tts", strategy, arguments, new ModelBindings().Bind("policy", _model), new FunctionBindings(), new RunOptions(Seed: 3, Runs: 4), token);

    private static Dictionary<string, object> Arguments(long n = 2) => new() { ["prompt"] = "", ["n"] = n, ["temperature"] = 1.0 };

    [Fact]
    public async Task Runs_as_the_executor_does()
    {
        var results = await Run(Arguments());

        var function = StrategyHost.Find(Source, "draw.tts", "draw");
        var direct = IrExecutor.Execute(function, Arguments(), new ModelBindings().Bind("policy", _model), new RunOptions(Seed: 3, Runs: 4));
        Assert.Equal(direct.Select(r => r.Untimed()), results.Select(r => r.Untimed()));
    }

    [Fact]
    public void A_source_is_compiled_once()
    {
        Assert.Same(StrategyHost.Find(Source, "draw.tts", "draw"), StrategyHost.Find(string.Concat(Source.AsSpan(), ""), "draw.tts", "draw"));
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

        var extra = Arguments();
        extra["m"] = 1L;
        Assert.Equal("strategy 'draw' has no parameter 'm'", (await Assert.ThrowsAsync<RuntimeException>(() => Run(extra))).Message);
    }

    [Fact]
    public async Task Sources_with_errors_and_unknown_strategies_are_one_clear_error()
    {
        var broken = await Assert.ThrowsAsync<RuntimeException>(() => Run(Arguments(), source: "strategy s() -> text { return 1 }"));
        Assert.StartsWith("draw.tts does not compile: draw.tts(1,31): error TTS0114", broken.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RuntimeException>(() => Run(Arguments(), strategy: "other"));
        Assert.Equal("draw.tts has no strategy 'other' (it has: draw)", unknown.Message);
    }

    [Fact]
    public async Task A_cancelled_token_runs_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Arguments(), token: cancelled.Token));
    }
}
