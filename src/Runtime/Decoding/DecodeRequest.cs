namespace Tts.Runtime.Decoding;

/// <summary>
/// What one decode asks beyond the options. <c>RowKeys</c>: the random key of each row. <c>Active</c>: the rows that
/// decode (others are held: their model state does not move). <c>KeepStop</c>: one step of an smc or search block —
/// a stop string ends the step and stays in the text, and only EOS ends the particle; otherwise the text is cut before
/// the stop string and the particle ends. <c>Allowed</c>: a [vocabulary] token mask (forbid), null for none.
/// <c>FirstFinished</c>: a race — stop once every run has that many finished rows.
/// </summary>
public sealed record DecodeRequest(
    DecodeOptions Options,
    long[] RowKeys,
    bool[] Active,
    bool KeepStop = false,
    bool[]? Allowed = null,
    int? FirstFinished = null);

/// <summary>
/// Per row: the summed log allowed mass of its masked draws (0 without a mask, −∞ when no allowed token had mass: the
/// particle is dead), and the token step at which it finished this decode (−1 if it did not).
/// </summary>
public sealed record DecodeOutcome(double[] LogAllowedMass, int[] FinishStep);

/// <summary>Told, once per batched model step, how many rows of each run took part.</summary>
public interface IStepMeter
{
    void Step(int[] liveRowsPerRun);
}
