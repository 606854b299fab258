using Tts.Runtime.Models.Transformer;

namespace Tts.Benchmarking.Scaling;

/// <summary>
/// Scaling curves of the batched decode step: time per step and generated tokens per second against the number of
/// rows N at a fixed prompt, and against the prompt length at a fixed N, each point set against the roofline floor.
/// </summary>
public static class ScalingBenchmark
{
    /// <summary>Time per step against N (prompt <paramref name="context"/> tokens).</summary>
    public static IReadOnlyList<ScalingPoint> AgainstRows(TransformerModel model, MachineRates rates, IReadOnlyList<int> rows, int context, int steps) =>
        Sweep(model, rates, rows.Select(n => (n, context)).ToList(), steps);

    /// <summary>Time per step against the prompt length (N = <paramref name="rows"/>).</summary>
    public static IReadOnlyList<ScalingPoint> AgainstContext(TransformerModel model, MachineRates rates, int rows, IReadOnlyList<int> contexts, int steps) =>
        Sweep(model, rates, contexts.Select(c => (rows, c)).ToList(), steps);

    private static List<ScalingPoint> Sweep(TransformerModel model, MachineRates rates, List<(int Rows, int Context)> points, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rates);
        DecodeStepTimer.Measure(model, points[0].Rows, points[0].Context, 1); // warm-up: allocator, kernels
        var result = new List<ScalingPoint>();
        foreach (var (rows, context) in points)
        {
            var measured = DecodeStepTimer.Measure(model, rows, context, steps);
            var cost = DecodeStepCost.Of(model.Config, rows, context, measured.GeneratedLength);
            result.Add(new ScalingPoint(rows, context, measured.PrefillSeconds, measured.StepSeconds, cost.FloorSeconds(rates), cost.Bound(rates), measured.Memory));
        }

        return result;
    }
}
