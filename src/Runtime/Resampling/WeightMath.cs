using System.Globalization;
using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// Batched log-weight arithmetic over runs: log-sum-exp, effective sample size and the validation every
/// resampling entry point shares. Rows are runs, columns particles. The <c>Reference</c> methods compute the
/// same quantities on doubles in C#, as the oracle for tests.
/// </summary>
/// <remarks>
/// Log-weights are float64 in [−∞, +∞): −∞ is a dead particle (weight zero). NaN and +∞ are rejected with an
/// <see cref="ArgumentException"/> naming the first offending (run, particle): either means a bug upstream
/// (a reward returned NaN, a weight overflowed), and treating it as −∞ would bias the estimate silently.
/// </remarks>
public static class WeightMath
{
    /// <summary>
    /// Log-sum-exp along the last dimension, which is removed: m = max; −∞ when m = −∞, else
    /// m + log Σ exp(v − m). Never NaN for valid log-weights.
    /// </summary>
    public static Tensor LogSumExp(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var scope = NewDisposeScope();
        var max = values.amax([-1], keepdim: true);
        // Shifting an all −∞ row by its max would compute −∞ − (−∞) = NaN; shift it by 0: the sum is 0 and its log −∞.
        var shift = max.masked_fill(max.isneginf(), Scalars.Zero);
        var result = (values - shift).exp_().sum([-1], keepdim: true).log_().add_(shift).squeeze(-1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [runs] float64 effective sample size exp(2·LSE(lw) − LSE(2·lw)) = (Σw)² / Σw², in [1, N] for a run with
    /// a live particle (up to rounding) and exactly 0 for an all-dead run.
    /// </summary>
    public static Tensor EffectiveSampleSize(Tensor logWeights)
    {
        ValidateLogWeights(logWeights, nameof(logWeights));
        using var scope = NewDisposeScope();
        var logSum = LogSumExp(logWeights);
        var logSumOfSquares = LogSumExp(logWeights.mul(Scalars.Two));
        var ess = (logSum.mul(Scalars.Two) - logSumOfSquares).exp_().masked_fill_(logSum.isneginf(), Scalars.Zero);
        return ess.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [runs] bool: the runs whose effective sample size is below <paramref name="threshold"/>·N, the usual
    /// adaptive-resampling trigger (0 never resamples; any threshold above 1 always does). An all-dead run
    /// (ESS 0) is triggered for any positive threshold.
    /// </summary>
    public static Tensor EssBelow(Tensor logWeights, double threshold)
    {
        if (!double.IsFinite(threshold) || threshold < 0.0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The ESS threshold must be a finite number ≥ 0 (a fraction of N).");
        }

        using var ess = EffectiveSampleSize(logWeights);
        using var bound = Scalars.Of(threshold * logWeights.shape[1]);
        return ess.lt(bound);
    }

    /// <summary>The C# reference of <see cref="LogSumExp"/> for one row.</summary>
    public static double LogSumExpReference(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        if (double.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }

        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>The C# reference of <see cref="EffectiveSampleSize"/> for one run.</summary>
    public static double EffectiveSampleSizeReference(IReadOnlyList<double> logWeights)
    {
        ValidateLogWeightsReference(logWeights, nameof(logWeights));
        var logSum = LogSumExpReference(logWeights);
        return double.IsNegativeInfinity(logSum)
            ? 0.0
            : Math.Exp(2.0 * logSum - LogSumExpReference(logWeights.Select(w => 2.0 * w).ToArray()));
    }

    /// <summary>
    /// Throws unless <paramref name="logWeights"/> is a [runs, N] float64 tensor with N ≥ 1 and no NaN or +∞
    /// (one device synchronization).
    /// </summary>
    public static void ValidateLogWeights(Tensor logWeights, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(logWeights, parameterName);
        if (logWeights.dtype != float64 || logWeights.dim() != 2 || logWeights.shape[1] == 0)
        {
            throw new ArgumentException(
                $"Expected [runs, N] float64 log-weights with N ≥ 1, got {logWeights.dtype} of shape [{string.Join(", ", logWeights.shape)}].",
                parameterName);
        }

        ThrowOnNaNOrPositiveInfinity(logWeights, parameterName, "log-weight");
    }

    /// <summary>Throws when any entry of <paramref name="values"/> is NaN or +∞, naming the first one by its position.</summary>
    internal static void ThrowOnNaNOrPositiveInfinity(Tensor values, string parameterName, string what)
    {
        using var scope = NewDisposeScope();
        var invalid = values.isnan().logical_or_(values.isposinf());
        if (!invalid.any().item<bool>())
        {
            return;
        }

        var position = invalid.nonzero()[0].data<long>().ToArray();
        var value = values[position.Select(i => TensorIndex.Single(i)).ToArray()].item<double>();
        throw new ArgumentException(
            $"{char.ToUpperInvariant(what[0])}{what[1..]}s must not be NaN or +∞, but the {what} at [{string.Join(", ", position)}] is {Format(value)}.",
            parameterName);
    }

    /// <summary>The reference's validation: the same rule and message shape as <see cref="ValidateLogWeights"/>.</summary>
    internal static void ValidateLogWeightsReference(IReadOnlyList<double> logWeights, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(logWeights, parameterName);
        if (logWeights.Count == 0)
        {
            throw new ArgumentException("Expected at least one log-weight.", parameterName);
        }

        for (var i = 0; i < logWeights.Count; i++)
        {
            if (double.IsNaN(logWeights[i]) || double.IsPositiveInfinity(logWeights[i]))
            {
                throw new ArgumentException($"Log-weights must not be NaN or +∞, but the log-weight at [{i}] is {Format(logWeights[i])}.", parameterName);
            }
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
