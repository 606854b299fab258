using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Tts.Runtime.Randomness;

namespace Tts.Runtime.Sampling;

/// <summary>
/// Gumbel-max on the host, computing the noise only where it can change the winner. The result is exactly
/// argmax_v (score_v + G_v) with G_v = −log(−log u_v) evaluated as the C# reference does (<c>Math.Log</c> on doubles,
/// the same expression), lowest index among equal maxima: a lane is skipped only when its uniform proves its
/// perturbed score strictly below the best one found so far, and every other lane is evaluated exactly.
/// </summary>
/// <remarks>
/// Why skipping is safe. Scan the row in blocks; B is the best perturbed score so far (it only grows) and m the largest
/// score in the block. G is increasing in u, so a lane with u &lt; t(c) = exp(−exp(−c)) has G &lt; c. With
/// c = B − m − δ, δ = 1e-9·(1 + |B| + |m|), such a lane's perturbed score is below B − δ in exact arithmetic, and its
/// computed value (score and two logs, rounding error ~1e-14 at the magnitudes involved) stays below B: it can neither
/// win nor tie. The test runs on the lane's 32-bit hash h (u = (h + 0.5)·2⁻³²): skip when h &lt; ⌈t(c)·(1 − 1e-12)·2³² − 0.5⌉,
/// the factor covering the rounding of the two exps in t (relative error below 2e-13 wherever t &gt; 0). When the bound
/// is 2³² or more no lane of the block can win and the block is not even hashed. On a nearly uniform row about
/// 2·ln V lanes get the logs (the running maximum of V Gumbels passes ln k after k lanes); on a peaked one, only lanes
/// within ~23 of the best score are hashed at all (the largest G a 32-bit uniform gives is 22.87).
/// </remarks>
internal static class GumbelMax
{
    private const int Block = 128;
    private const double TwoToThe32 = 4294967296.0;

    /// <summary>
    /// argmax_v (score_v + G_v) where score_v = x_v at temperature 1 and (x_v − max x) / T otherwise (a constant shift
    /// and a positive scale of the values of the reference's transform at T: the same law), G from
    /// <see cref="CounterRandom.Uniform"/>(rowKey, step, v). A row without a finite value gives 0 (as torch's argmax).
    /// </summary>
    /// <param name="laneMixed">The lane hashes of <see cref="CounterRandom.LaneHashes"/> for this vocabulary size.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    public static int ArgMax(ReadOnlySpan<double> values, double temperature, uint rowKey, long step, uint[] laneMixed)
    {
        var (max, first) = MaxAndIndex(values);
        if (double.IsNegativeInfinity(max))
        {
            return 0;
        }

        var scaled = temperature != 1.0;
        var key = CounterRandom.StepKey(rowKey, step);
        double Score(double x) => scaled ? (x - max) / temperature : x;

        // The row's largest score with its noise: a high first B lets most lanes be skipped from the first block on.
        var best = first;
        var bestScore = Perturbed(Score(values[first]), CounterRandom.Mix(key ^ laneMixed[first]));
        var keyVector = Vector256.Create(key);
        ref var lanes = ref MemoryMarshal.GetArrayDataReference(laneMixed);
        for (var start = 0; start < values.Length; start += Block)
        {
            var length = Math.Min(Block, values.Length - start);
            var blockMax = Max(values.Slice(start, length));
            if (double.IsNegativeInfinity(blockMax))
            {
                continue;
            }

            var bound = SkipBelow(bestScore, Score(blockMax));
            if (bound >= TwoToThe32)
            {
                continue;
            }

            // Only lanes whose hash reaches the bound get their noise computed (B may grow meanwhile: the bound stays safe).
            var threshold = bound <= 0 ? 0u : (uint)bound;
            var thresholdVector = Vector256.Create(threshold);
            var lane = start;
            var end = start + length;
            for (; lane + Vector256<uint>.Count <= end; lane += Vector256<uint>.Count)
            {
                var h = Hash(Vector256.LoadUnsafe(ref lanes, (nuint)lane) ^ keyVector);
                var contenders = Vector256.GreaterThanOrEqual(h, thresholdVector).ExtractMostSignificantBits();
                while (contenders != 0)
                {
                    var i = BitOperations.TrailingZeroCount(contenders);
                    contenders &= contenders - 1;
                    Consider(lane + i, Score(values[lane + i]), h.GetElement(i), ref best, ref bestScore);
                }
            }

            for (; lane < end; lane++)
            {
                var h = CounterRandom.Mix(key ^ laneMixed[lane]);
                if (h >= threshold)
                {
                    Consider(lane, Score(values[lane]), h, ref best, ref bestScore);
                }
            }
        }

        return best;
    }

    /// <summary>Makes <paramref name="lane"/> the best if its perturbed score beats the best's (ties: the lower lane).</summary>
    private static void Consider(int lane, double score, uint h, ref int best, ref double bestScore)
    {
        var perturbed = Perturbed(score, h);
        if (perturbed > bestScore || (perturbed == bestScore && lane < best))
        {
            (best, bestScore) = (lane, perturbed);
        }
    }

    /// <summary>score + G for the lane with hash h: the reference's expression, operation for operation.</summary>
    private static double Perturbed(double score, uint h) => score + -Math.Log(-Math.Log((h + 0.5) / TwoToThe32));

    /// <summary>
    /// The smallest hash that may still win against <paramref name="best"/> for a score at most
    /// <paramref name="blockMax"/> (see the remarks): ⌈t(c)·(1 − 1e-12)·2³² − 0.5⌉, c = best − blockMax − δ.
    /// </summary>
    private static double SkipBelow(double best, double blockMax)
    {
        var c = best - blockMax - 1e-9 * (1.0 + Math.Abs(best) + Math.Abs(blockMax));
        var t = Math.Exp(-Math.Exp(-c));
        return Math.Ceiling(t * (1.0 - 1e-12) * TwoToThe32 - 0.5);
    }

    /// <summary><see cref="CounterRandom.Mix"/> on eight lanes.</summary>
    private static Vector256<uint> Hash(Vector256<uint> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= 0x7feb352du;
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= 0x846ca68bu;
        return x ^ Vector256.ShiftRightLogical(x, 16);
    }

    /// <summary>The largest value and the lowest index holding it (−∞ and 0 when no value is above −∞).</summary>
    internal static (double Max, int Index) MaxAndIndex(ReadOnlySpan<double> values)
    {
        var max = Max(values);
        var index = values.IndexOf(max);
        return (max, Math.Max(index, 0));
    }

    /// <summary>The largest value (values are never NaN); −∞ for an empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vector loops: never run the unoptimized first tier
    internal static double Max(ReadOnlySpan<double> values)
    {
        var i = 0;
        var max = double.NegativeInfinity;
        if (values.Length >= Vector256<double>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(values);
            var accumulator = Vector256.Create(double.NegativeInfinity);
            for (; i + Vector256<double>.Count <= values.Length; i += Vector256<double>.Count)
            {
                accumulator = Vector256.Max(accumulator, Vector256.LoadUnsafe(ref start, (nuint)i));
            }

            for (var lane = 0; lane < Vector256<double>.Count; lane++)
            {
                max = Math.Max(max, accumulator[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            max = Math.Max(max, values[i]);
        }

        return max;
    }
}
