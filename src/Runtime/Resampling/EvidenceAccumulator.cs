using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// The SMC evidence estimate per run, log Ẑ = Σ_t LSE_i(log W̄_{t−1,i} + log w_{t,i}), where W̄_{t−1} are
/// the normalized weights before step t's incremental weights w_t. Resampling needs no call here: it resets
/// the weights to uniform, which is what W̄ then is, and the sum already holds the evidence up to it.
/// </summary>
/// <remarks>
/// Each increment is computed as s + log(Σ_i exp(a_i + (b_i − s)) / Σ_i exp(a_i)), with a = lw − max lw and
/// s = the largest increment of a live particle: algebraically the formula above, and exactly s when every
/// live particle gets the same increment (numerator and denominator are then the same sum). So constant
/// log-weights c over T steps give log Ẑ = c + c + … + c, bit for bit. A run whose live particles all get
/// −∞, or that has no live particle, gets −∞ (and stays there), never NaN.
/// </remarks>
public sealed class EvidenceAccumulator : IDisposable
{
    public EvidenceAccumulator(int runs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(runs);
        LogEvidence = zeros(runs, float64).DetachFromDisposeScope();
    }

    /// <summary>[runs] float64 log Ẑ so far (0 before any step).</summary>
    public Tensor LogEvidence { get; }

    /// <summary>Adds one step: <paramref name="logWeights"/> before the step and its incremental <paramref name="stepLogWeights"/>, both [runs, N].</summary>
    public void Add(Tensor logWeights, Tensor stepLogWeights)
    {
        using var increment = Increment(logWeights, stepLogWeights);
        LogEvidence.add_(increment);
    }

    /// <summary>[runs] float64 LSE_i(log W̄_i + log w_i): the log of the mean incremental weight under the normalized weights.</summary>
    public static Tensor Increment(Tensor logWeights, Tensor stepLogWeights)
    {
        WeightMath.ValidateLogWeights(logWeights, nameof(logWeights));
        WeightMath.ValidateLogWeights(stepLogWeights, nameof(stepLogWeights));
        if (!logWeights.shape.SequenceEqual(stepLogWeights.shape))
        {
            throw new ArgumentException(
                $"Step log-weights of shape [{string.Join(", ", stepLogWeights.shape)}] do not match log-weights of shape [{string.Join(", ", logWeights.shape)}].",
                nameof(stepLogWeights));
        }

        using var scope = NewDisposeScope();
        var max = logWeights.amax([1], keepdim: true);
        var relative = logWeights - max.masked_fill(max.isneginf(), Scalars.Zero);
        var liveIncrements = stepLogWeights.masked_fill(logWeights.isneginf(), Scalars.NegativeInfinity);
        var shift = liveIncrements.amax([1], keepdim: true);
        var noMass = shift.isneginf();
        var safeShift = shift.masked_fill(noMass, Scalars.Zero);
        var numerator = (relative + (stepLogWeights - safeShift)).exp_().sum([1], keepdim: true);
        var denominator = relative.exp().sum([1], keepdim: true);
        // For a run with no mass the ratio may be 0/0; the mask replaces it.
        var increment = numerator.div_(denominator).log_().add_(safeShift).masked_fill_(noMass, Scalars.NegativeInfinity);
        return increment.squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>The C# reference of <see cref="Increment"/> for one run.</summary>
    public static double IncrementReference(IReadOnlyList<double> logWeights, IReadOnlyList<double> stepLogWeights)
    {
        WeightMath.ValidateLogWeightsReference(logWeights, nameof(logWeights));
        WeightMath.ValidateLogWeightsReference(stepLogWeights, nameof(stepLogWeights));
        if (logWeights.Count != stepLogWeights.Count)
        {
            throw new ArgumentException($"{stepLogWeights.Count} step log-weights for {logWeights.Count} log-weights.", nameof(stepLogWeights));
        }

        var max = logWeights.Max();
        var shift = double.NegativeInfinity;
        for (var i = 0; i < logWeights.Count; i++)
        {
            if (!double.IsNegativeInfinity(logWeights[i]))
            {
                shift = Math.Max(shift, stepLogWeights[i]);
            }
        }

        if (double.IsNegativeInfinity(shift))
        {
            return double.NegativeInfinity;
        }

        var numerator = 0.0;
        var denominator = 0.0;
        for (var i = 0; i < logWeights.Count; i++)
        {
            var relative = logWeights[i] - max;
            numerator += Math.Exp(relative + (stepLogWeights[i] - shift));
            denominator += Math.Exp(relative);
        }

        return Math.Log(numerator / denominator) + shift;
    }

    public void Dispose() => LogEvidence.Dispose();
}
