using Tts.Runtime.Randomness;
using static TorchSharp.torch;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Resampling;

/// <summary>
/// Resampling, batched over runs: from [runs, N] log-weights, N ancestor indices per run, each run drawing
/// its uniforms from <see cref="CounterRandom"/> under its own key, so a run's ancestors never depend on the
/// rest of the batch. Every scheme is unbiased, E[count_i] = N·w̄_i with w̄ the normalized weights; they
/// differ in the variance of the offspring counts (see each class).
/// </summary>
/// <remarks>
/// Rules shared by all schemes: a particle with log-weight −∞ is never chosen; a run whose log-weights are
/// all −∞ is reported dead in <see cref="ResamplingResult.Alive"/> and keeps its particles (identity
/// ancestors); NaN or +∞ log-weights throw <see cref="ArgumentException"/> (<see cref="WeightMath"/>).
/// Weights are w_i = exp(lw_i − max lw), so the largest is exactly 1. Each <c>ResampleReference</c> repeats
/// the computation on doubles in C#, drawing the same uniforms, and returns the same indices bit for bit.
/// </remarks>
public abstract class Resampler
{
    /// <summary>
    /// The particle coordinate of a run's resampling key, <c>RowKey(seed, run, stream, −1)</c>: particles
    /// use 0, 1, …, so resampling never shares a key with a particle's token draws.
    /// </summary>
    public const int ResamplingParticle = -1;

    public static Resampler Multinomial { get; } = new MultinomialResampler();

    public static Resampler Stratified { get; } = new StratifiedResampler();

    public static Resampler Systematic { get; } = new SystematicResampler();

    public static Resampler Residual { get; } = new ResidualResampler();

    public static IReadOnlyList<Resampler> All { get; } = [Multinomial, Stratified, Systematic, Residual];

    /// <summary>The scheme's name as a strategy names it: multinomial, stratified, systematic or residual.</summary>
    public abstract string Name { get; }

    /// <summary>Throws <see cref="ArgumentException"/> listing the known names when <paramref name="name"/> is none of them.</summary>
    public static Resampler ByName(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"Unknown resampler '{name}'; expected one of {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));

    /// <summary>[runs] int64 keys <c>RowKey(seed, firstRun + r, stream, <see cref="ResamplingParticle"/>)</c>.</summary>
    public static Tensor RunKeys(ulong seed, int firstRun, int runs, int stream) =>
        tensor(Enumerable.Range(firstRun, runs).Select(run => (long)CounterRandom.RowKey(seed, run, stream, ResamplingParticle)).ToArray(), int64);

    /// <summary>
    /// Resamples every run: row r uses the uniforms <c>CounterRandom.Uniform(runKeys[r], step, lane)</c>.
    /// </summary>
    /// <param name="logWeights">[runs, N] float64; −∞ allowed, NaN and +∞ rejected.</param>
    /// <param name="runKeys">[runs] int64 keys in [0, 2^32), e.g. from <see cref="RunKeys"/>.</param>
    public ResamplingResult Resample(Tensor logWeights, Tensor runKeys, long step)
    {
        WeightMath.ValidateLogWeights(logWeights, nameof(logWeights));
        ArgumentNullException.ThrowIfNull(runKeys);
        if (runKeys.dim() != 1 || runKeys.shape[0] != logWeights.shape[0])
        {
            throw new ArgumentException(
                $"Expected [{logWeights.shape[0]}] run keys, got shape [{string.Join(", ", runKeys.shape)}].", nameof(runKeys));
        }

        using var scope = NewDisposeScope();
        var uniforms = CounterRandom.Uniforms(runKeys, step, UniformLanes((int)logWeights.shape[1]));
        var result = ResampleWithUniforms(logWeights, uniforms);
        return new ResamplingResult(result.Ancestors.MoveToOuterDisposeScope(), result.Alive.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <see cref="Resample"/> with the uniforms given: [runs, <see cref="UniformLanes"/>] in (0, 1). Lets a test
    /// enumerate every random choice; validation of the log-weights is the caller's.
    /// </summary>
    internal ResamplingResult ResampleWithUniforms(Tensor logWeights, Tensor uniforms)
    {
        using var scope = NewDisposeScope();
        var particles = logWeights.shape[1];
        var max = logWeights.amax([1], keepdim: true);
        var dead = max.isneginf();
        // A dead run resamples zero log-weights so its arithmetic stays finite; its ancestors are replaced below.
        var shifted = (logWeights - max.masked_fill(dead, Scalars.Zero)).masked_fill_(dead, Scalars.Zero);
        var ancestors = Ancestors(shifted.exp_(), uniforms);
        var identity = arange(particles, int64, logWeights.device).unsqueeze(0).expand_as(ancestors);
        var alive = dead.logical_not().squeeze(1);
        return new ResamplingResult(
            where(dead, identity, ancestors).MoveToOuterDisposeScope(),
            alive.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The C# reference of <see cref="Resample"/> for one run: the ancestors and whether the run is alive.
    /// </summary>
    public (long[] Ancestors, bool Alive) ResampleReference(IReadOnlyList<double> logWeights, uint runKey, long step) =>
        ResampleReferenceWithUniforms(logWeights, lane => CounterRandom.Uniform(runKey, step, lane));

    /// <summary><see cref="ResampleReference"/> with the uniform of each lane given.</summary>
    internal (long[] Ancestors, bool Alive) ResampleReferenceWithUniforms(IReadOnlyList<double> logWeights, Func<int, double> uniform)
    {
        WeightMath.ValidateLogWeightsReference(logWeights, nameof(logWeights));
        var max = logWeights.Max();
        if (double.IsNegativeInfinity(max))
        {
            return (Enumerable.Range(0, logWeights.Count).Select(i => (long)i).ToArray(), false);
        }

        var weights = logWeights.Select(lw => Math.Exp(lw - max)).ToArray();
        return (AncestorsReference(weights, uniform), true);
    }

    /// <summary>How many uniforms per run the scheme draws for N particles (lanes 0 … count − 1).</summary>
    public abstract int UniformLanes(int particles);

    /// <summary>[runs, N] int64 ancestors from [runs, N] weights whose row maximum is 1.</summary>
    protected abstract Tensor Ancestors(Tensor weights, Tensor uniforms);

    /// <summary>The C# reference of <see cref="Ancestors"/> for one run.</summary>
    protected abstract long[] AncestorsReference(double[] weights, Func<int, double> uniform);

    /// <summary>
    /// Global row indices (run r's particles are rows r·N … r·N + N − 1) from [runs, N] within-run
    /// ancestors, flattened to [runs·N] for <see cref="Models.IDecodeState.Reorder"/>.
    /// </summary>
    public static Tensor ToGlobalRows(Tensor ancestors) => ToGlobalRows(ancestors, ancestors?.shape[1] ?? 0);

    /// <summary>
    /// Global row indices from [runs, M] indices into runs of <paramref name="particlesPerRun"/> rows each,
    /// flattened to [runs·M]: M may differ from the run size (top-k keeps M &lt; N, a fork makes M &gt; N).
    /// </summary>
    public static Tensor ToGlobalRows(Tensor ancestors, long particlesPerRun)
    {
        ArgumentNullException.ThrowIfNull(ancestors);
        if (ancestors.dtype != int64 || ancestors.dim() != 2)
        {
            throw new ArgumentException(
                $"Expected [runs, N] int64 ancestors, got {ancestors.dtype} of shape [{string.Join(", ", ancestors.shape)}].", nameof(ancestors));
        }

        using var scope = NewDisposeScope();
        var runs = ancestors.shape[0];
        var offsets = arange(runs, int64, ancestors.device).mul_(particlesPerRun).unsqueeze(1);
        return (ancestors + offsets).reshape(runs * ancestors.shape[1]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inverse CDF on [runs, N] running sums (non-decreasing): for each target, the first index whose
    /// running sum exceeds it. A zero weight leaves the sum unchanged, so it is never chosen; a target that
    /// rounding pushed to the total falls back to the last index that raised the sum (never a zero weight).
    /// </summary>
    protected static Tensor InverseCdf(Tensor cumulative, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var total = cumulative.narrow(1, cumulative.shape[1] - 1, 1).contiguous();
        var found = searchsorted(cumulative, targets.contiguous(), right: true);
        var lastRaising = searchsorted(cumulative, total, right: false);
        return found.minimum(lastRaising).MoveToOuterDisposeScope();
    }

    /// <summary>The C# reference of <see cref="InverseCdf"/> for one target.</summary>
    protected static long InverseCdfReference(double[] cumulative, double target)
    {
        var total = cumulative[^1];
        var found = 0;
        while (found < cumulative.Length && cumulative[found] <= target)
        {
            found++;
        }

        var lastRaising = 0;
        while (cumulative[lastRaising] < total)
        {
            lastRaising++;
        }

        return Math.Min(found, lastRaising);
    }

    /// <summary>Sequential running sums, as torch's CPU cumsum adds them.</summary>
    protected static double[] CumulativeSumReference(IReadOnlyList<double> values)
    {
        var result = new double[values.Count];
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            result[i] = sum;
        }

        return result;
    }

    public override string ToString() => Name;
}
