using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Resampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Populations;

/// <summary>
/// The particles of one population across all batched runs, as struct-of-arrays: row r belongs to run
/// r / ParticlesPerRun, and every run has the same number of particles. Tokens are written in place into a
/// preallocated [rows, capacity] buffer; log-weights, ancestors and the per-run evidence serve the SMC
/// machinery. Texts, lengths and done flags are mirrored on the CPU because stop strings and the built-in
/// text functions work on text.
/// </summary>
/// <remarks>
/// Moving particles (<see cref="Resample"/>, <see cref="SelectTopK"/>, <see cref="Prune"/>, <see cref="Fork"/>)
/// is one gather of every per-row array by global row indices plus <see cref="IDecodeState.Reorder"/> on the
/// model state, never a deep copy. <see cref="Merge"/> joins two populations of the same runs through
/// <see cref="IDecodeState.Concat"/>; <see cref="Join"/> and <see cref="TakeDecodedRows"/> decode several populations
/// as one batch (a fused decode).
/// </remarks>
public sealed partial class Population : Execution.BatchValue, IDisposable
{
    private Tensor _tokens;
    private Tensor _logWeights;
    private Tensor _ancestors;

    private Population(int runs, int particlesPerRun, ILanguageModel model, IDecodeState state)
    {
        Runs = runs;
        ParticlesPerRun = particlesPerRun;
        Model = model;
        State = state;
        Texts = Enumerable.Repeat("", Rows).ToArray();
        Lengths = new int[Rows];
        Done = new bool[Rows];
        Twists = new double[Rows];
        Scores = new double[Rows];
        _tokens = torch.full(Rows, 0, PadToken, dtype: ScalarType.Int64).DetachFromDisposeScope();
        _logWeights = torch.zeros(Rows, dtype: ScalarType.Float64).DetachFromDisposeScope();
        _ancestors = torch.arange(Rows, dtype: ScalarType.Int64).DetachFromDisposeScope();
        Evidence = new EvidenceAccumulator(runs);
    }

    public const long PadToken = -1;

    public int Runs { get; }

    /// <summary>Particles of each run; changed by <see cref="SelectTopK"/>, <see cref="Prune"/> and <see cref="Fork"/>.</summary>
    public int ParticlesPerRun { get; private set; }

    public int Rows => Runs * ParticlesPerRun;

    public ILanguageModel Model { get; }

    /// <summary>The model's per-row state (KV cache for a transformer, histories for a tabular model).</summary>
    public IDecodeState State { get; private set; }

    /// <summary>[rows, capacity] int64 generated token ids, padded with <see cref="PadToken"/>.</summary>
    public Tensor Tokens => _tokens;

    /// <summary>[rows] float64 log importance weights since the last resampling (0 = uniform).</summary>
    public Tensor LogWeights => _logWeights;

    /// <summary>
    /// [rows] int64: the global row, before the most recent move (resample, top-k, prune, fork), that each row
    /// was copied from; the identity until the first move.
    /// </summary>
    public Tensor Ancestors => _ancestors;

    /// <summary>Per-run log Ẑ, advanced by <see cref="Reweight"/> and kept across moves.</summary>
    public EvidenceAccumulator Evidence { get; }

    /// <summary>Generated text of each row (EOS excluded, cut before a stop string).</summary>
    public string[] Texts { get; private set; }

    /// <summary>Generated tokens per row.</summary>
    public int[] Lengths { get; private set; }

    public bool[] Done { get; private set; }

    /// <summary>Per row: the twist ψ currently in its weight (smc), removed when the block ends.</summary>
    public double[] Twists { get; private set; }

    /// <summary>Per row: the score search ranks it by (0 until scored).</summary>
    public double[] Scores { get; private set; }

    /// <summary>Per row: whether it can still move: not ended and not dead (log-weight −∞).</summary>
    public bool[] Live()
    {
        var weights = _logWeights.data<double>().ToArray();
        return Enumerable.Range(0, Rows).Select(row => !Done[row] && !double.IsNegativeInfinity(weights[row])).ToArray();
    }

    /// <summary>Per row: whether its log-weight is −∞ (a condition or an impossible mask killed it).</summary>
    public bool[] Dead() => _logWeights.data<double>().Select(double.IsNegativeInfinity).ToArray();

    public int RunOf(int row) => row / ParticlesPerRun;

    public int ParticleOf(int row) => row % ParticlesPerRun;

    /// <summary>
    /// The particle a row is in its random keys and messages: <see cref="ParticleOf"/> offset by
    /// <see cref="ParticleOffset"/>.
    /// </summary>
    public int ParticleNumberOf(int row) => ParticleOffset + ParticleOf(row);

    /// <summary>
    /// 0, or, in a population that holds later particles of a larger one (the nodes a tree search's simulation adds),
    /// the number of the larger population's particle its particle 0 stands for, so that each row draws as that
    /// particle would.
    /// </summary>
    public int ParticleOffset { get; set; }

    /// <summary>
    /// Prefills the prompt of each run once and shares that state with the run's particles; with
    /// <paramref name="sharePrompt"/> false, every particle prefills its own copy (the unoptimized reading of a
    /// program, and the no-prefix-sharing baseline).
    /// </summary>
    public static Population Start(ILanguageModel model, IReadOnlyList<string> promptPerRun, int particlesPerRun, bool sharePrompt = true)
    {
        var distinct = promptPerRun.Distinct(StringComparer.Ordinal).ToList();
        var encodedDistinct = distinct.Select(model.Encode).ToList();
        var rows = promptPerRun.Count * particlesPerRun;
        var promptOfRow = new int[rows];
        for (var row = 0; row < promptOfRow.Length; row++)
        {
            promptOfRow[row] = sharePrompt ? distinct.IndexOf(promptPerRun[row / particlesPerRun]) : row;
        }

        var encoded = sharePrompt
            ? encodedDistinct
            : Enumerable.Range(0, rows).Select(row => encodedDistinct[distinct.IndexOf(promptPerRun[row / particlesPerRun])]).ToList();

        var state = model.Start(encoded, promptOfRow);
        return new Population(promptPerRun.Count, particlesPerRun, model, state)
        {
            PromptTokens = promptPerRun.Select(p => encodedDistinct[distinct.IndexOf(p)]).ToArray(),
        };
    }

    /// <summary>Decode steps written so far (the used width of <see cref="Tokens"/>).</summary>
    public int Steps { get; private set; }

    /// <summary>Writes one step's tokens in place, growing the buffer geometrically when it is full.</summary>
    public void AppendStep(Tensor tokens)
    {
        var step = Steps++;
        if (step >= _tokens.shape[1])
        {
            var capacity = Math.Max(16, (int)_tokens.shape[1] * 2);
            var grown = torch.full(Rows, capacity, PadToken, dtype: ScalarType.Int64);
            grown[.., ..(int)_tokens.shape[1]] = _tokens;
            Replace(ref _tokens, grown);
        }

        // select + copy_: one view and one in-place copy, where the indexer builds index objects and calls index_put_.
        using var column = _tokens.select(1, step);
        column.copy_(tokens);
    }

    /// <summary>
    /// Multiplies each row's weight by an incremental weight: adds [rows] float64
    /// <paramref name="deltaLogWeights"/> (−∞ kills a row; NaN and +∞ throw) and advances the evidence.
    /// </summary>
    public void Reweight(Tensor deltaLogWeights)
    {
        ValidateRowVector(deltaLogWeights, float64, nameof(deltaLogWeights));
        WeightMath.ThrowOnNaNOrPositiveInfinity(deltaLogWeights, nameof(deltaLogWeights), "log-weight");
        using var scope = torch.NewDisposeScope();
        var perRun = deltaLogWeights.reshape(Runs, ParticlesPerRun);
        Evidence.Add(_logWeights.reshape(Runs, ParticlesPerRun), perRun);
        _logWeights.add_(deltaLogWeights);
    }

    /// <summary>
    /// Marks rows as padding, not particles: their log-weight becomes −∞ (so they are dead: never voted, picked or
    /// ranked above a particle) while <see cref="Evidence"/> is left alone. Search uses it for the copies that keep
    /// every run's row count equal when a node cannot be expanded.
    /// </summary>
    public void Discard(IReadOnlyList<int> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        var indices = torch.tensor(rows.Select(r => (long)r).ToArray(), ScalarType.Int64, _logWeights.device);
        _logWeights.index_fill_(0, indices, Sampling.Scalars.NegativeInfinity);
    }

    /// <summary>
    /// Resamples the runs selected by <paramref name="runsToResample"/> ([runs] bool; null = all): gathers
    /// every per-row array and the model state by the new ancestors and resets those runs' log-weights to 0
    /// (uniform), while <see cref="Evidence"/> keeps log Ẑ. Other runs keep their rows and weights. An all-dead
    /// run keeps its rows and its −∞ weights.
    /// </summary>
    /// <param name="keepFirst">
    /// Conditional resampling (particle Gibbs): particle 0 of every resampled run keeps itself as its ancestor, the
    /// others take the resampler's draws 1 … N − 1 (with a resampler whose draws are i.i.d., multinomial, those are N − 1
    /// i.i.d. draws from all N weights).
    /// </param>
    /// <returns>Per run: whether it has a live particle (false: all its log-weights are −∞).</returns>
    public bool[] Resample(Resampler resampler, Tensor runKeys, long step, Tensor? runsToResample = null, bool keepFirst = false)
    {
        ArgumentNullException.ThrowIfNull(resampler);
        if (runsToResample is not null)
        {
            ValidateVector(runsToResample, ScalarType.Bool, Runs, nameof(runsToResample));
        }

        using var scope = torch.NewDisposeScope();
        var perRun = _logWeights.reshape(Runs, ParticlesPerRun);
        using var result = resampler.Resample(perRun, runKeys, step);
        var device = _logWeights.device;
        var selected = runsToResample ?? torch.ones(Runs, ScalarType.Bool, device);
        var identity = torch.arange(ParticlesPerRun, ScalarType.Int64, device).unsqueeze(0).expand(Runs, ParticlesPerRun);
        var drawn = keepFirst ? result.Ancestors.index_fill(1, torch.zeros(1, ScalarType.Int64, device), 0L) : result.Ancestors;
        var ancestors = torch.where(selected.unsqueeze(1), drawn, identity);
        var resetRuns = selected.logical_and(result.Alive).unsqueeze(1);
        var logWeights = perRun.masked_fill(resetRuns, Sampling.Scalars.Zero).reshape(Rows);
        GatherRows(Resampler.ToGlobalRows(ancestors), ParticlesPerRun, logWeights);
        return result.Alive.data<bool>().ToArray();
    }

    /// <summary>
    /// Resamples the runs whose effective sample size is below <paramref name="essThreshold"/>·N
    /// (<see cref="WeightMath.EssBelow"/>); see <see cref="Resample"/>.
    /// </summary>
    /// <returns>Per run: whether it was resampled.</returns>
    public bool[] ResampleWhereEssBelow(Resampler resampler, Tensor runKeys, long step, double essThreshold)
    {
        using var scope = torch.NewDisposeScope();
        var selected = WeightMath.EssBelow(_logWeights.reshape(Runs, ParticlesPerRun), essThreshold);
        Resample(resampler, runKeys, step, selected);
        return selected.data<bool>().ToArray();
    }

    /// <summary>
    /// Tempers the weights of each run: its finite log-weights are multiplied by <paramref name="betaPerRun"/>[run]
    /// (−∞ stays −∞). The evidence is not advanced: a tempered population no longer estimates it.
    /// </summary>
    public void Temper(IReadOnlyList<double> betaPerRun)
    {
        ArgumentNullException.ThrowIfNull(betaPerRun);
        if (betaPerRun.Count != Runs)
        {
            throw new ArgumentException($"Expected {Runs} temperatures, got {betaPerRun.Count}.", nameof(betaPerRun));
        }

        var weights = _logWeights.data<double>().ToArray();
        for (var row = 0; row < weights.Length; row++)
        {
            if (double.IsFinite(weights[row]))
            {
                weights[row] *= betaPerRun[RunOf(row)];
            }
        }

        using var scope = torch.NewDisposeScope();
        _logWeights.copy_(torch.tensor(weights, ScalarType.Float64, _logWeights.device));
    }

    /// <summary>
    /// A population of finished texts with no model state (what <c>repeat</c> makes from the results of its runs):
    /// it can be selected from, ranked and voted on, not extended.
    /// </summary>
    public static Population FromTexts(IReadOnlyList<string> texts, int runs)
    {
        if (runs < 1 || texts.Count % runs != 0)
        {
            throw new ArgumentException($"{texts.Count} texts cannot be split evenly over {runs} runs.", nameof(texts));
        }

        var population = new Population(runs, texts.Count / runs, TextOnlyModel.Instance, new TextOnlyState(texts.Count));
        population.Texts = texts.ToArray();
        population.Done = Enumerable.Repeat(true, texts.Count).ToArray();
        return population;
    }

    /// <summary>
    /// A new population holding copies of the given global rows (<paramref name="particlesPerRun"/> per run, in
    /// order), model state included; this one is left as it is. The copy's evidence starts from this one's.
    /// </summary>
    public Population Copy(long[] globalRows, int particlesPerRun)
    {
        using var scope = torch.NewDisposeScope();
        var rows = torch.tensor(globalRows, ScalarType.Int64, _logWeights.device);
        var state = State.CopyRows(rows);
        try
        {
            var copy = new Population(Runs, particlesPerRun, Model, state);
            Replace(ref copy._tokens, _tokens.index_select(0, rows));
            Replace(ref copy._logWeights, _logWeights.index_select(0, rows));
            Replace(ref copy._ancestors, rows.clone());
            copy.Evidence.LogEvidence.copy_(Evidence.LogEvidence);
            copy.Steps = Steps;
            copy.PromptTokens = PromptTokens;
            copy.Texts = Array.ConvertAll(globalRows, row => Texts[row]);
            copy.Lengths = Array.ConvertAll(globalRows, row => Lengths[row]);
            copy.Done = Array.ConvertAll(globalRows, row => Done[row]);
            copy.Twists = Array.ConvertAll(globalRows, row => Twists[row]);
            copy.Scores = Array.ConvertAll(globalRows, row => Scores[row]);
            return copy;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Overwrites row <paramref name="globalRows"/>[i] with row i of <paramref name="source"/> (a population of the same
    /// model): model state, texts, lengths, done flags, twists, scores, log-weights and tokens. The rows written get
    /// their generated tokens left-aligned, without the padding of the steps they sat out, so the token buffer is as wide
    /// as the longest row rather than the sum of every step decoded. A state that cannot be written row by row is
    /// rebuilt (<see cref="IDecodeState.Concat"/>, then a gather). Ancestors and the evidence are left as they are.
    /// </summary>
    public void WriteRows(long[] globalRows, Population source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!ReferenceEquals(source.Model, Model) || globalRows.Length != source.Rows || globalRows.Any(row => row < 0 || row >= Rows))
        {
            throw new ArgumentException($"Expected {source.Rows} rows of this population's {Rows} for a population of its model.", nameof(globalRows));
        }

        using var scope = torch.NewDisposeScope();
        var device = _logWeights.device;
        var rows = torch.tensor(globalRows, ScalarType.Int64, device);
        if (!State.TryWriteRows(rows, source.State))
        {
            var sources = Enumerable.Range(0, Rows).Select(row => (long)row).ToArray();
            for (var i = 0; i < globalRows.Length; i++)
            {
                sources[globalRows[i]] = Rows + i;
            }

            var rebuilt = State.Concat(source.State);
            try
            {
                rebuilt.Reorder(torch.tensor(sources, ScalarType.Int64, device));
            }
            catch
            {
                rebuilt.Dispose();
                throw;
            }

            State.Dispose();
            State = rebuilt;
        }

        using var sourceTokens = source._tokens.narrow(1, 0, source.Steps).cpu().contiguous();
        var read = sourceTokens.data<long>().ToArray();
        var generated = Enumerable.Range(0, source.Rows)
            .Select(i => new ArraySegment<long>(read, i * source.Steps, source.Steps).Where(t => t != PadToken).ToArray()).ToArray();
        var width = Math.Max(1, generated.Max(t => t.Length));
        var packed = new long[generated.Length * width];
        Array.Fill(packed, PadToken);
        for (var i = 0; i < generated.Length; i++)
        {
            for (var t = 0; t < generated[i].Length; t++)
            {
                packed[i * width + t] = generated[i][t];
            }
        }

        if (width > _tokens.shape[1])
        {
            var grown = torch.full(Rows, width, PadToken, dtype: ScalarType.Int64, device: device);
            grown[.., ..(int)_tokens.shape[1]] = _tokens;
            Replace(ref _tokens, grown);
        }

        _tokens.index_fill_(0, rows, PadToken);
        using (var columns = _tokens.narrow(1, 0, width))
        {
            columns.index_copy_(0, rows, torch.tensor(packed, [generated.Length, width], ScalarType.Int64, device));
        }

        Steps = Math.Max(Steps, generated.Max(t => t.Length));
        _logWeights.index_copy_(0, rows, source._logWeights);
        for (var i = 0; i < globalRows.Length; i++)
        {
            var row = (int)globalRows[i];
            Texts[row] = source.Texts[i];
            Lengths[row] = source.Lengths[i];
            Done[row] = source.Done[i];
            Twists[row] = source.Twists[i];
            Scores[row] = source.Scores[i];
        }
    }

    /// <summary>
    /// The general move: new row i becomes old global row <paramref name="globalRows"/>[i], with
    /// <paramref name="particlesPerRun"/> rows per run (each run's new rows must come from that run for the
    /// evidence to keep meaning). Weights are carried as they are.
    /// </summary>
    public void Gather(long[] globalRows, int particlesPerRun)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particlesPerRun, 1);
        if (globalRows.Length != Runs * particlesPerRun)
        {
            throw new ArgumentException($"Expected {Runs * particlesPerRun} rows, got {globalRows.Length}.", nameof(globalRows));
        }

        using var scope = torch.NewDisposeScope();
        GatherRows(torch.tensor(globalRows, ScalarType.Int64, _logWeights.device), particlesPerRun);
    }

    /// <summary>
    /// Keeps the <paramref name="k"/> rows of each run with the highest [rows] float64
    /// <paramref name="scores"/> (no NaN), best first, ties to the lower row. Weights of kept rows are kept as
    /// they are; the evidence is not corrected (top-k is a heuristic move).
    /// </summary>
    public void SelectTopK(int k, Tensor scores)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, ParticlesPerRun);
        ValidateRowVector(scores, float64, nameof(scores));
        using var scope = torch.NewDisposeScope();
        if (scores.isnan().any().item<bool>())
        {
            throw new ArgumentException("Scores must not be NaN.", nameof(scores));
        }

        var (_, order) = scores.reshape(Runs, ParticlesPerRun).sort(1, descending: true, stable: true);
        GatherRows(Resampler.ToGlobalRows(order.narrow(1, 0, k), ParticlesPerRun), k);
    }

    /// <summary>
    /// Keeps the rows where [rows] bool <paramref name="keepMask"/> is true, in their order. Every run must keep
    /// the same number of rows, at least one. Weights and evidence as in <see cref="SelectTopK"/>.
    /// </summary>
    public void Prune(Tensor keepMask)
    {
        ValidateRowVector(keepMask, ScalarType.Bool, nameof(keepMask));
        var keep = keepMask.data<bool>().ToArray();
        var keptPerRun = Enumerable.Range(0, Runs).Select(run => keep.Skip(run * ParticlesPerRun).Take(ParticlesPerRun).Count(k => k)).ToArray();
        if (keptPerRun.Distinct().Count() > 1 || keptPerRun[0] == 0)
        {
            throw new ArgumentException(
                $"Prune must keep the same number (≥ 1) of particles in every run; it keeps {string.Join(", ", keptPerRun)}.", nameof(keepMask));
        }

        var rows = Enumerable.Range(0, Rows).Where(row => keep[row]).Select(row => (long)row).ToArray();
        using var scope = torch.NewDisposeScope();
        GatherRows(torch.tensor(rows, ScalarType.Int64, _logWeights.device), keptPerRun[0]);
    }

    /// <summary>
    /// Makes <paramref name="copies"/> consecutive copies of every row (particle p becomes particles
    /// p·copies … p·copies + copies − 1), weights included; normalized weights, hence the evidence, are unchanged.
    /// </summary>
    public void Fork(int copies)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 1);
        using var scope = torch.NewDisposeScope();
        GatherRows(torch.arange(Rows, ScalarType.Int64, _logWeights.device).repeat_interleave(copies), checked(ParticlesPerRun * copies));
    }

    /// <summary>
    /// One population holding, in each run, the particles of <paramref name="first"/> then those of
    /// <paramref name="second"/> (same model, same number of runs). Every per-row array is carried: token buffers
    /// padded with <see cref="PadToken"/> to the wider one (<see cref="Steps"/> is the larger of the two), log-weights
    /// as they are, texts, lengths and done flags. Ancestors describe the merge as a move: each row's index in
    /// first's rows followed by second's. The evidence of a run is the particle-count-weighted mean of the two
    /// estimates, log((N₁·Ẑ₁ + N₂·Ẑ₂) / (N₁ + N₂)); as with <see cref="SelectTopK"/>, the merged weights are not
    /// renormalized against it. The inputs are left as they are, still owned by the caller.
    /// </summary>
    public static Population Merge(Population first, Population second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!ReferenceEquals(first.Model, second.Model))
        {
            throw new ArgumentException("Only populations of the same model can be merged.", nameof(second));
        }

        if (first.Runs != second.Runs)
        {
            throw new ArgumentException($"Populations of {first.Runs} and {second.Runs} runs cannot be merged: the runs must match.", nameof(second));
        }

        // Row r of the merged population is row sources[r] of [first's rows; second's rows].
        var (runs, firstParticles, secondParticles) = (first.Runs, first.ParticlesPerRun, second.ParticlesPerRun);
        var particles = firstParticles + secondParticles;
        var sources = new long[runs * particles];
        for (var run = 0; run < runs; run++)
        {
            for (var j = 0; j < particles; j++)
            {
                sources[run * particles + j] = j < firstParticles
                    ? run * firstParticles + j
                    : first.Rows + run * secondParticles + (j - firstParticles);
            }
        }

        var state = first.State.Concat(second.State);
        Population? merged = null;
        try
        {
            using var scope = torch.NewDisposeScope();
            var device = first._logWeights.device;
            var sourceRows = torch.tensor(sources, ScalarType.Int64, device);
            state.Reorder(sourceRows);
            merged = new Population(runs, particles, first.Model, state);
            var width = Math.Max(first._tokens.shape[1], second._tokens.shape[1]);
            var tokens = torch.full(first.Rows + second.Rows, width, PadToken, dtype: ScalarType.Int64, device: device);
            tokens[..first.Rows, ..(int)first._tokens.shape[1]] = first._tokens;
            tokens[first.Rows.., ..(int)second._tokens.shape[1]] = second._tokens;
            Replace(ref merged._tokens, tokens.index_select(0, sourceRows));
            Replace(ref merged._logWeights, torch.cat([first._logWeights, second._logWeights]).index_select(0, sourceRows));
            Replace(ref merged._ancestors, sourceRows.clone());
            var weightedEvidence = torch.stack([
                first.Evidence.LogEvidence + Math.Log(firstParticles),
                second.Evidence.LogEvidence + Math.Log(secondParticles),
            ]);
            merged.Evidence.LogEvidence.copy_(weightedEvidence.logsumexp(0).sub_(Math.Log(particles)));
            merged.Steps = Math.Max(first.Steps, second.Steps);
            merged.PromptTokens = first.PromptTokens;
            merged.Texts = Array.ConvertAll(sources, row => row < first.Rows ? first.Texts[row] : second.Texts[row - first.Rows]);
            merged.Lengths = Array.ConvertAll(sources, row => row < first.Rows ? first.Lengths[row] : second.Lengths[row - first.Rows]);
            merged.Done = Array.ConvertAll(sources, row => row < first.Rows ? first.Done[row] : second.Done[row - first.Rows]);
            merged.Twists = Array.ConvertAll(sources, row => row < first.Rows ? first.Twists[row] : second.Twists[row - first.Rows]);
            merged.Scores = Array.ConvertAll(sources, row => row < first.Rows ? first.Scores[row] : second.Scores[row - first.Rows]);
            return merged;
        }
        catch
        {
            if (merged is null)
            {
                state.Dispose();
            }
            else
            {
                merged.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// New row i becomes old row <paramref name="globalRows"/>[i] in every per-row array and in the model
    /// state; the model state goes first, so that its validation fails before anything has moved. The
    /// log-weights are gathered from <paramref name="logWeights"/> when given (resampling's reset weights).
    /// </summary>
    private void GatherRows(Tensor globalRows, int particlesPerRun, Tensor? logWeights = null)
    {
        State.Reorder(globalRows);
        var rows = globalRows.data<long>().ToArray();
        Replace(ref _tokens, _tokens.index_select(0, globalRows));
        Replace(ref _logWeights, (logWeights ?? _logWeights).index_select(0, globalRows));
        Replace(ref _ancestors, globalRows.clone());
        Texts = Array.ConvertAll(rows, row => Texts[row]);
        Lengths = Array.ConvertAll(rows, row => Lengths[row]);
        Done = Array.ConvertAll(rows, row => Done[row]);
        Twists = Array.ConvertAll(rows, row => Twists[row]);
        Scores = Array.ConvertAll(rows, row => Scores[row]);
        ParticlesPerRun = particlesPerRun;
    }

    /// <summary>Swaps a long-lived tensor for a new one, detached from any dispose scope, and disposes the old one.</summary>
    private static void Replace(ref Tensor field, Tensor value)
    {
        var old = field;
        field = value.DetachFromDisposeScope();
        old.Dispose();
    }

    private void ValidateRowVector(Tensor values, ScalarType dtype, string parameterName) => ValidateVector(values, dtype, Rows, parameterName);

    private static void ValidateVector(Tensor values, ScalarType dtype, int length, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(values, parameterName);
        if (values.dtype != dtype || values.dim() != 1 || values.shape[0] != length)
        {
            throw new ArgumentException(
                $"Expected a [{length}] {dtype} tensor, got {values.dtype} of shape [{string.Join(", ", values.shape)}].", parameterName);
        }
    }

    public void Dispose()
    {
        State.Dispose();
        _tokens.Dispose();
        _logWeights.Dispose();
        _ancestors.Dispose();
        Evidence.Dispose();
    }
}
