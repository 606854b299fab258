using System.Globalization;
using System.Reflection;
using Tts.Compiler.IR;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Hosting;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// What one execution showed: an error, or per run its output (rendered exactly: types and the bits of numbers) and
/// spend without wall time.
/// </summary>
internal sealed record Outcome(string? Error, IReadOnlyList<(int Run, string Output, Spent Spent)> Runs)
{
    public bool IsError => Error is not null;

    public long ModelCalls => Runs.Sum(r => r.Spent.ModelCalls);

    public override string ToString() =>
        Error is not null ? $"error {Error}" : string.Concat(Runs.Select(r => $"run {r.Run}: {r.Output} spent {r.Spent}\n"));
}

/// <summary>
/// Runs one strategy through either back end and captures everything observable as an <see cref="Outcome"/>, and
/// states how two outcomes must agree: the executor and the emitted C# at the same level in everything; -O1 and -O0 in
/// outputs, errors, tokens and reward calls, with -O1 taking no more model calls (fusing decodes takes fewer).
/// </summary>
internal static class BackEnds
{
    public static Outcome Interpret(IrModule module, string strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options) =>
        Capture(() => CompiledStrategy.Of(module, strategy).Run(arguments, models, functions, options).ToList());

    public static Outcome RunEmitted(Type generated, string strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options) =>
        Capture(() =>
        {
            // The emitted descriptor (parameters, requirements, Run_ method) through the runner, as generated classes run it.
            var field = generated.GetField("Strategy_" + strategy, BindingFlags.Public | BindingFlags.Static)
                        ?? throw new InvalidOperationException($"{generated.Name} has no Strategy_{strategy}");
            return StrategyRunner.Run((RunnableStrategy)field.GetValue(null)!, arguments, models, functions, options).ToList();
        });

    /// <summary>
    /// Null when the four executions of one program agree: the emitted C# with the executor at each level, and the
    /// executor's -O1 with its -O0 (so the emitted -O1 agrees with both -O0s too); else which pair differs and how.
    /// </summary>
    public static string? Disagreement(Outcome executorO0, Outcome emittedO0, Outcome executorO1, Outcome emittedO1) =>
        Labelled("emitted O0 vs executor O0", DisagreementAtOneLevel(executorO0, emittedO0))
        ?? Labelled("emitted O1 vs executor O1", DisagreementAtOneLevel(executorO1, emittedO1))
        ?? Labelled("executor O1 vs executor O0", DisagreementAcrossLevels(executorO0, executorO1));

    private static string? Labelled(string pair, string? problem) => problem is null ? null : $"{pair}: {problem}";

    /// <summary>Null when the two back ends at one level agree (in everything, model calls included); else why not.</summary>
    public static string? DisagreementAtOneLevel(Outcome reference, Outcome other) =>
        reference.ToString() == other.ToString() ? null : "outcomes differ";

    /// <summary>
    /// Null when <paramref name="optimized"/> (-O1) agrees with <paramref name="reference"/> (-O0): the same error, or
    /// per run the same output, tokens and reward calls, and no more model calls; else why not.
    /// </summary>
    public static string? DisagreementAcrossLevels(Outcome reference, Outcome optimized)
    {
        if (reference.Error != optimized.Error || reference.Runs.Count != optimized.Runs.Count)
        {
            return "errors or run counts differ";
        }

        foreach (var ((run, output, spent), (optimizedRun, optimizedOutput, optimizedSpent)) in reference.Runs.Zip(optimized.Runs))
        {
            if (run != optimizedRun || output != optimizedOutput)
            {
                return "outputs differ";
            }

            if (spent.Tokens != optimizedSpent.Tokens || spent.RewardCalls != optimizedSpent.RewardCalls)
            {
                return "tokens or reward calls differ";
            }

            if (optimizedSpent.ModelCalls > spent.ModelCalls)
            {
                return "-O1 takes more model calls than -O0";
            }
        }

        return null;
    }

    private static Outcome Capture(Func<IReadOnlyList<RunResult>> execute)
    {
        try
        {
            return new Outcome(null, execute().Select(r => r.Untimed()).Select(r => (r.Run, Render(r.Output), r.Spent)).ToList());
        }
        catch (Exception exception)
        {
            var inner = exception is TargetInvocationException { InnerException: { } thrown } ? thrown : exception;
            return new Outcome($"{inner.GetType().Name}: {inner.Message}", Array.Empty<(int, string, Spent)>());
        }
    }

    private static string Render(object? value) => value switch
    {
        null => "none",
        string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"",
        double d => "real " + d.ToString("R", CultureInfo.InvariantCulture) + "#" + BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        long l => "int " + l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        object[] list => "[" + string.Join(", ", list.Select(Render)) + "]",
        _ => value.GetType().Name + " " + value,
    };
}
