using System.Globalization;
using System.Reflection;
using System.Text;
using Tts.Compiler.IR;
using Tts.Runtime.Execution;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// Runs one strategy through either back end and renders everything observable — each run's output (types and
/// exact bits of numbers included) and spend without wall time, or the error — as text, so two runs compare exactly.
/// </summary>
internal static class BackEnds
{
    public static string Interpret(IrModule module, string strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options) =>
        Capture(() => IrExecutor.Execute(module.Find(strategy)!, arguments, models, functions, options, module));

    public static string RunEmitted(Type generated, string strategy, IReadOnlyDictionary<string, object> arguments, ModelBindings models, FunctionBindings functions, RunOptions options) =>
        Capture(() =>
        {
            var run = generated.GetMethod("Run_" + strategy, BindingFlags.Public | BindingFlags.Static)
                      ?? throw new InvalidOperationException($"{generated.Name} has no Run_{strategy}");
            using var runtime = StrategyRuntime.Create(models, functions, options);
            return (IReadOnlyList<RunResult>)run.Invoke(null, new object[] { runtime, arguments })!;
        });

    /// <summary>True when the rendered outcome is an error rather than results.</summary>
    public static bool IsError(string outcome) => outcome.StartsWith("error ", StringComparison.Ordinal);

    private static string Capture(Func<IReadOnlyList<RunResult>> execute)
    {
        try
        {
            var builder = new StringBuilder();
            foreach (var result in execute().Select(r => r.Untimed()))
            {
                builder.Append("run ").Append(result.Run).Append(": ").Append(Render(result.Output)).Append(" spent ").Append(result.Spent).Append('\n');
            }

            return builder.ToString();
        }
        catch (Exception exception)
        {
            var inner = exception is TargetInvocationException { InnerException: { } thrown } ? thrown : exception;
            return $"error {inner.GetType().Name}: {inner.Message}";
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
