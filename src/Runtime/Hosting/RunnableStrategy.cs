using Tts.Runtime.Execution;

namespace Tts.Runtime.Hosting;

/// <summary>Runs one batch of runs of a strategy on a runtime made for that batch: the IR executor, or emitted C#.</summary>
public delegate IReadOnlyList<RunResult> StrategyBody(StrategyRuntime runtime, IReadOnlyDictionary<string, object> arguments);

/// <summary>
/// A strategy ready to run, whichever back end made it: <c>tts</c> compiles a .tts file and runs its IR through the
/// executor (src/Execution/CompiledStrategy.cs); a generated class hands over the C# the compiler emitted at build time.
/// Both run through <see cref="StrategyRunner"/>, which checks arguments and bindings and splits runs into batches.
/// </summary>
/// <param name="Name">The strategy's .tts name.</param>
/// <param name="Guarantee">Its inferred guarantee: exact, consistent or heuristic.</param>
/// <param name="Parameters">Its parameters, in declaration order.</param>
/// <param name="Requirements">Every model, reward, verifier and extractor it uses.</param>
/// <param name="Body">Runs one batch.</param>
/// <param name="ParticleCounts">Where its population sizes come from, for sizing batches (empty: one particle per run).</param>
public sealed record RunnableStrategy(
    string Name,
    string Guarantee,
    IReadOnlyList<StrategyParameter> Parameters,
    IReadOnlyList<StrategyRequirement> Requirements,
    StrategyBody Body,
    ParticleCounts ParticleCounts)
{
    /// <summary>What its statements need from the models they call (<see cref="CapabilityCheck"/>); empty: nothing beyond sampling.</summary>
    public IReadOnlyList<CapabilityNeed> CapabilityNeeds { get; init; } = Array.Empty<CapabilityNeed>();

    /// <summary>A strategy the compiler cannot lower: running it throws the reason (its typed API stays).</summary>
    public static StrategyBody CannotRun(string strategy, string reason) =>
        (_, _) => throw new RuntimeException($"strategy '{strategy}' checks, but cannot run yet: {reason}");
}

/// <summary>
/// The largest population a run of a strategy holds, as far as it is known before running: the larger of a constant and
/// the values of some int parameters (those a <c>spawn</c>, <c>sample</c> or search width reads directly).
/// </summary>
public sealed record ParticleCounts(long Constant, IReadOnlyList<string> Parameters)
{
    public static ParticleCounts One { get; } = new(1, Array.Empty<string>());

    public long PerRun(IReadOnlyDictionary<string, object> arguments)
    {
        var largest = Math.Max(1, Constant);
        foreach (var name in Parameters)
        {
            if (arguments.TryGetValue(name, out var value))
            {
                var values = value is PerRunArgument perRun ? perRun.Values : new[] { value };
                largest = Math.Max(largest, values.OfType<long>().DefaultIfEmpty(1).Max());
            }
        }

        return largest;
    }
}
