using TorchSharp;
using Tts.Runtime.Randomness;
using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Sampling;

/// <summary>
/// Batched next-token sampling on device, row by row: a row's result depends only on its own
/// log-probabilities, row key and step, never on the rest of the batch. The <c>Reference</c>
/// methods compute the same law and draw on doubles in C#, as the oracle for tests.
/// </summary>
/// <remarks>
/// Input rows are log-probabilities (or logits) with at least one finite entry and no NaN.
/// The transform, in order:
/// <list type="number">
/// <item>temperature: (x − max x) / T; subtracting the row maximum first changes nothing after
/// normalization and keeps the best token finite for tiny T;</item>
/// <item>top-k: keep tokens whose value is ≥ the k-th largest (ties at the boundary are kept);</item>
/// <item>top-p: on the law after top-k, sorted descending (stable, so lower ids first among equal
/// values), keep a token while the mass strictly before it is &lt; p; the first is always kept;</item>
/// <item>min-p: keep a token whose probability is ≥ min_p × the largest probability, tested in log space
/// as value ≥ ln(min_p): top-k and top-p always keep the maximum, which step 1 put at exactly 0, and the
/// ratio to the maximum does not change with renormalization;</item>
/// <item>renormalize: log_softmax over the kept tokens.</item>
/// </list>
/// T = 0 is greedy: all mass on the lowest-index maximum. Sampling is Gumbel-max:
/// argmax(transformed + G), G = −log(−log u), u from <see cref="CounterRandom.Uniforms"/>.
/// <see cref="SampleMasked"/> applies an allowed-token mask after all of these, to the transformed law.
/// On the CPU the Gumbel-max runs on the host (<see cref="GumbelMax"/>): the same tokens, with the noise computed only
/// for lanes that can still win, and temperature alone applied per lane instead of as passes over [N, V].
/// </remarks>
public static class TokenSampler
{
    /// <summary>The token <see cref="SampleMasked"/> returns for a row whose allowed set has no mass.</summary>
    public const int NoToken = -1;

    /// <summary>[N, V] float64 normalized log-probabilities of the law <see cref="Sample"/> draws from.</summary>
    public static Tensor TransformedLogProbs(Tensor logProbs, SamplingOptions options)
    {
        ValidateLogProbs(logProbs);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        using var scope = NewDisposeScope();
        if (options.IsGreedy)
        {
            var best = logProbs.argmax(1, keepdim: true);
            var isBest = arange(logProbs.shape[1], int64, logProbs.device).unsqueeze(0).eq(best);
            return zeros_like(logProbs).masked_fill(isBest.logical_not(), Scalars.NegativeInfinity).MoveToOuterDisposeScope();
        }

        var vocabularySize = logProbs.shape[1];
        using var temperature = Scalars.Of(options.Temperature);
        var scaled = logProbs - logProbs.amax([1], keepdim: true);
        if (options.Temperature != 1.0)
        {
            scaled = scaled.div_(temperature); // x / 1 is x exactly: at T = 1 the pass over [N, V] is skipped
        }

        if (options.TopK > 0 && options.TopK < vocabularySize)
        {
            var (topValues, _) = scaled.topk(options.TopK, dim: 1);
            var kthLargest = topValues.narrow(1, options.TopK - 1, 1);
            scaled = scaled.masked_fill(scaled.lt(kthLargest), Scalars.NegativeInfinity);
        }

        if (options.TopP < 1.0)
        {
            var probabilities = scaled.softmax(1);
            var (sorted, order) = probabilities.sort(1, descending: true, stable: true);
            // Exclusive prefix sum: the mass strictly before each sorted token.
            var massBefore = cat([zeros_like(sorted.narrow(1, 0, 1)), sorted.cumsum(1).narrow(1, 0, vocabularySize - 1)], 1);
            using var topP = Scalars.Of(options.TopP);
            var keepSorted = massBefore.lt(topP);
            var keep = zeros_like(keepSorted).scatter(1, order, keepSorted);
            scaled = scaled.masked_fill(keep.logical_not(), Scalars.NegativeInfinity);
        }

        if (options.MinP > 0.0)
        {
            using var logMinP = Scalars.Of(Math.Log(options.MinP));
            scaled = scaled.masked_fill(scaled.lt(logMinP), Scalars.NegativeInfinity);
        }

        return scaled.log_softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [N] int64 token ids drawn by Gumbel-max from the transformed law, with the randomness of
    /// row i keyed by (<paramref name="rowKeys"/>[i], <paramref name="step"/>, token id).
    /// Greedy (T = 0) takes the lowest-index maximum and uses no randomness.
    /// </summary>
    public static Tensor Sample(Tensor logProbs, SamplingOptions options, Tensor rowKeys, long step)
    {
        ValidateSamplingArguments(logProbs, options, rowKeys);
        using var scope = NewDisposeScope();
        if (options.IsGreedy)
        {
            return logProbs.argmax(1).MoveToOuterDisposeScope();
        }

        if (logProbs.device_type == DeviceType.CPU)
        {
            // Temperature alone is a shift and a scale of each row, which the host kernel applies itself: no [N, V] pass.
            return options.Truncates(logProbs.shape[1])
                ? GumbelArgMaxOnHost(TransformedLogProbs(logProbs, options), 1.0, rowKeys, step).MoveToOuterDisposeScope()
                : GumbelArgMaxOnHost(logProbs, options.Temperature, rowKeys, step).MoveToOuterDisposeScope();
        }

        var transformed = TransformedLogProbs(logProbs, options);
        return GumbelPerturbed(transformed, rowKeys, step).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Samples from the transformed law q restricted to the [N, V] bool <paramref name="allowed"/> tokens,
    /// q(v)·1{allowed v} / Σ_allowed q, with the Gumbel noise of <see cref="Sample"/> (so where Sample's token
    /// is allowed, both return it). Also returns log Σ_{allowed} q(v) per row, the factor by which an SMC
    /// weight must be corrected for proposing from the restricted law. The mask comes after every transform:
    /// tokens that temperature 0, top-k, top-p or min-p removed have no mass even when allowed. A row whose
    /// allowed set has no mass (an all-false mask, or only removed tokens allowed) gets token
    /// <see cref="NoToken"/> and log-mass −∞.
    /// </summary>
    public static MaskedSample SampleMasked(Tensor logProbs, SamplingOptions options, Tensor allowed, Tensor rowKeys, long step)
    {
        ValidateSamplingArguments(logProbs, options, rowKeys);
        ArgumentNullException.ThrowIfNull(allowed);
        if (allowed.dtype != ScalarType.Bool || !allowed.shape.SequenceEqual(logProbs.shape))
        {
            throw new ArgumentException(
                $"Expected a [{string.Join(", ", logProbs.shape)}] bool mask, got {allowed.dtype} of shape [{string.Join(", ", allowed.shape)}].",
                nameof(allowed));
        }

        using var scope = NewDisposeScope();
        var masked = TransformedLogProbs(logProbs, options).masked_fill_(allowed.logical_not(), Scalars.NegativeInfinity);
        var logAllowedMass = WeightMath.LogSumExp(masked);
        var tokens = options.IsGreedy ? masked.argmax(1)
            : masked.device_type == DeviceType.CPU ? GumbelArgMaxOnHost(masked, 1.0, rowKeys, step)
            : GumbelPerturbed(masked, rowKeys, step).argmax(1);
        tokens.masked_fill_(logAllowedMass.isneginf(), Scalars.NoToken);
        return new MaskedSample(tokens.MoveToOuterDisposeScope(), logAllowedMass.MoveToOuterDisposeScope());
    }

    /// <summary>The C# reference of <see cref="TransformedLogProbs"/> for one row, same operations in the same order.</summary>
    public static double[] TransformedLogProbsReference(double[] logProbs, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var size = logProbs.Length;
        var result = new double[size];
        if (options.IsGreedy)
        {
            Array.Fill(result, double.NegativeInfinity);
            result[ArgMax(logProbs)] = 0.0;
            return result;
        }

        var max = logProbs.Max();
        var scaled = Array.ConvertAll(logProbs, x => (x - max) / options.Temperature);

        if (options.TopK > 0 && options.TopK < size)
        {
            var descending = scaled.OrderDescending().ToArray();
            var kthLargest = descending[options.TopK - 1];
            for (var i = 0; i < size; i++)
            {
                if (scaled[i] < kthLargest)
                {
                    scaled[i] = double.NegativeInfinity;
                }
            }
        }

        if (options.TopP < 1.0)
        {
            var probabilities = Softmax(scaled);
            // OrderByDescending is stable: equal probabilities keep ascending token order, like sort(stable: true).
            var order = Enumerable.Range(0, size).OrderByDescending(i => probabilities[i]).ToArray();
            var massBefore = 0.0;
            foreach (var token in order)
            {
                if (!(massBefore < options.TopP))
                {
                    scaled[token] = double.NegativeInfinity;
                }

                massBefore += probabilities[token];
            }
        }

        if (options.MinP > 0.0)
        {
            var logMinP = Math.Log(options.MinP);
            for (var i = 0; i < size; i++)
            {
                if (scaled[i] < logMinP)
                {
                    scaled[i] = double.NegativeInfinity;
                }
            }
        }

        var keptMax = scaled.Max();
        var sum = 0.0;
        foreach (var x in scaled)
        {
            sum += Math.Exp(x - keptMax);
        }

        var logSum = Math.Log(sum);
        for (var i = 0; i < size; i++)
        {
            result[i] = scaled[i] - keptMax - logSum;
        }

        return result;
    }

    /// <summary>The C# reference of <see cref="Sample"/> for one row.</summary>
    public static int SampleReference(double[] logProbs, SamplingOptions options, uint rowKey, long step)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.IsGreedy)
        {
            return ArgMax(logProbs);
        }

        return ArgMax(GumbelPerturbedReference(TransformedLogProbsReference(logProbs, options), rowKey, step));
    }

    /// <summary>The C# reference of <see cref="SampleMasked"/> for one row.</summary>
    public static (int Token, double LogAllowedMass) SampleMaskedReference(
        double[] logProbs, bool[] allowed, SamplingOptions options, uint rowKey, long step)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(options);
        if (allowed.Length != logProbs.Length)
        {
            throw new ArgumentException($"{allowed.Length} mask entries for {logProbs.Length} tokens.", nameof(allowed));
        }

        var masked = TransformedLogProbsReference(logProbs, options);
        for (var token = 0; token < masked.Length; token++)
        {
            if (!allowed[token])
            {
                masked[token] = double.NegativeInfinity;
            }
        }

        var logAllowedMass = WeightMath.LogSumExpReference(masked);
        if (double.IsNegativeInfinity(logAllowedMass))
        {
            return (NoToken, logAllowedMass);
        }

        return (ArgMax(options.IsGreedy ? masked : GumbelPerturbedReference(masked, rowKey, step)), logAllowedMass);
    }

    /// <summary>
    /// [N] int64: per row, argmax_v (score_v + G_v) by <see cref="GumbelMax"/> (score = x at T = 1, (x − max) / T
    /// otherwise), with G the noise of <see cref="GumbelPerturbed"/>: the same tokens without an [N, V] noise tensor.
    /// </summary>
    private static Tensor GumbelArgMaxOnHost(Tensor values, double temperature, Tensor rowKeys, long step)
    {
        var rows = (int)values.shape[0];
        var vocabularySize = (int)values.shape[1];
        var contiguous = values.is_contiguous() ? values : values.contiguous();
        var keys = rowKeys.data<long>().ToArray();
        var laneMixed = CounterRandom.LaneHashes(vocabularySize);
        var all = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(contiguous.bytes);
        var tokens = new long[rows];
        for (var row = 0; row < rows; row++)
        {
            var key = CounterRandom.CheckedRowKey(keys[row], nameof(rowKeys));
            tokens[row] = GumbelMax.ArgMax(all.Slice(row * vocabularySize, vocabularySize), temperature, key, step, laneMixed);
        }

        return tensor(tokens);
    }

    /// <summary>
    /// [N, V] <paramref name="scores"/> + G, computed as scores − log(−log u): a + (−b) and a − b are the same IEEE
    /// operation, so this is bit-identical to adding <see cref="Gumbel"/> with one pass over [N, V] fewer.
    /// </summary>
    internal static Tensor GumbelPerturbed(Tensor scores, Tensor rowKeys, long step) =>
        scores - CounterRandom.Uniforms(rowKeys, step, (int)scores.shape[1]).log_().neg_().log_();

    /// <summary>[N, V] Gumbel noise −log(−log u) from the row keys' uniforms at this step.</summary>
    internal static Tensor Gumbel(Tensor rowKeys, long step, long vocabularySize) =>
        CounterRandom.Uniforms(rowKeys, step, (int)vocabularySize).log_().neg_().log_().neg_();

    private static double[] GumbelPerturbedReference(double[] logProbs, uint rowKey, long step)
    {
        var perturbed = new double[logProbs.Length];
        for (var token = 0; token < perturbed.Length; token++)
        {
            var u = CounterRandom.Uniform(rowKey, step, token);
            perturbed[token] = logProbs[token] + -Math.Log(-Math.Log(u));
        }

        return perturbed;
    }

    /// <summary>The lowest index among the maxima, as torch's argmax returns.</summary>
    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double[] Softmax(double[] values)
    {
        var max = values.Max();
        var exps = Array.ConvertAll(values, x => Math.Exp(x - max));
        var sum = 0.0;
        foreach (var e in exps)
        {
            sum += e;
        }

        return Array.ConvertAll(exps, e => e / sum);
    }

    private static void ValidateSamplingArguments(Tensor logProbs, SamplingOptions options, Tensor rowKeys)
    {
        ValidateLogProbs(logProbs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rowKeys);
        options.Validate();
        if (rowKeys.dim() != 1 || rowKeys.shape[0] != logProbs.shape[0])
        {
            throw new ArgumentException(
                $"Expected [{logProbs.shape[0]}] row keys, got shape [{string.Join(", ", rowKeys.shape)}].", nameof(rowKeys));
        }
    }

    private static void ValidateLogProbs(Tensor logProbs)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        if (logProbs.dtype != float64 || logProbs.dim() != 2 || logProbs.shape[1] == 0)
        {
            throw new ArgumentException(
                $"Expected [N, V] float64 log-probabilities with V ≥ 1, got {logProbs.dtype} of shape [{string.Join(", ", logProbs.shape)}].",
                nameof(logProbs));
        }
    }
}
