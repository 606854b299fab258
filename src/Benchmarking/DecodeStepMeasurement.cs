namespace Tts.Benchmarking;

/// <summary>
/// One decode-step measurement of a model at <c>Rows</c> rows after a shared prompt of <c>PromptLength</c> tokens:
/// the median prefill, the median step (log-probabilities read, one token appended per row), optionally the median
/// KV reorder (a resample's gather) with the median step that followed it, and the KV cache's memory per row.
/// </summary>
public sealed record DecodeStepMeasurement(
    int Rows,
    int PromptLength,
    int GeneratedLength,
    double PrefillSeconds,
    double StepSeconds,
    double? ReorderSeconds,
    double? StepAfterReorderSeconds,
    KvMemory Memory)
{
    public double TokensPerSecond => Rows / StepSeconds;
}

/// <summary>
/// KV cache memory: per generated position per row as the configuration predicts (2 · layers · kv_heads · head_dim ·
/// bytes), and what the cache had allocated at the end of the measurement, prefix (shared by all rows) and suffix
/// (per row, <c>SuffixCapacity</c> positions each).
/// </summary>
public sealed record KvMemory(long BytesPerPosition, int SuffixCapacity, long PrefixBytesAllocated, long SuffixBytesAllocated, int Rows)
{
    /// <summary>Predicted bytes of one row's suffix: per position times the capacity allocated.</summary>
    public long PredictedSuffixBytesPerRow => BytesPerPosition * SuffixCapacity;

    /// <summary>Allocated suffix bytes divided by the rows.</summary>
    public long AllocatedSuffixBytesPerRow => Rows == 0 ? 0 : SuffixBytesAllocated / Rows;

    public bool Matches => PredictedSuffixBytesPerRow == AllocatedSuffixBytesPerRow;
}
