namespace Tts.Runtime.Decoding;

/// <summary>
/// What one decode asks beyond the population. <c>Groups</c>: the rows that decode, each group with its own options and
/// token mask (runs of one batch may differ in temperature, stop strings or what they forbid); rows in no group are
/// held (their model state does not move). <c>RowKeys</c>: the random key of each row. <c>KeepStop</c>: one step of an
/// smc or search block — a stop string ends the step and stays in the text, and only EOS ends the particle; otherwise
/// the text is cut before the stop string and the particle ends. <c>FirstFinished</c>: a race — stop once every run
/// taking part has that many finished rows. <c>Forced</c>: per row, the tokens it must take instead of sampling, in order
/// (null for a row that samples): a particle Gibbs reference replaying its path; its mask's allowed mass still counts.
/// <c>TrackLogProbs</c>: also sum, per row, the model's log-probability of the tokens it took (a PUCT prior).
/// </summary>
public sealed record DecodeRequest(
    IReadOnlyList<DecodeGroup> Groups, long[] RowKeys, bool KeepStop = false, int? FirstFinished = null, IReadOnlyList<long>?[]? Forced = null,
    bool TrackLogProbs = false)
{
    /// <summary>Every active row under the same options and mask (null: none).</summary>
    public static DecodeRequest Uniform(
        DecodeOptions options, long[] rowKeys, bool[] active, bool keepStop = false, bool[]? allowed = null, int? firstFinished = null) =>
        new([new DecodeGroup(options, allowed, active)], rowKeys, keepStop, firstFinished);

    /// <summary>Every row under the same options, no mask.</summary>
    public static DecodeRequest AllRows(DecodeOptions options, long[] rowKeys) =>
        Uniform(options, rowKeys, Enumerable.Repeat(true, rowKeys.Length).ToArray());
}

/// <summary>
/// Rows that decode under the same options. <c>Rows</c>: [population rows], true for the rows of this group.
/// <c>Allowed</c>: a [vocabulary] token mask (forbid), null for none.
/// </summary>
public sealed record DecodeGroup(DecodeOptions Options, bool[]? Allowed, bool[] Rows);

/// <summary>
/// Per row: the summed log allowed mass of its masked draws (0 without a mask, −∞ when no allowed token had mass: the
/// particle is dead), and the token step at which it finished this decode (−1 if it did not). <c>LogProbs</c> (when the
/// request tracks them): per row, the sum of the model's log-probabilities of the tokens it took, EOS included.
/// </summary>
public sealed record DecodeOutcome(double[] LogAllowedMass, int[] FinishStep, double[]? LogProbs = null);

/// <summary>Told, once per batched model step, how many rows of each run took part.</summary>
public interface IStepMeter
{
    void Step(int[] liveRowsPerRun);
}
