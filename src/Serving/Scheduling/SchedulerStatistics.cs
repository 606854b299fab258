namespace Tts.Serving.Scheduling;

/// <summary>
/// What one model's scheduler has done: <see cref="Steps"/> batched model steps, <see cref="RowsDecoded"/> rows over
/// all of them (tokens sampled), the most rows in one step, and what is live or waiting now.
/// </summary>
public sealed record SchedulerStatistics(long Steps, long RowsDecoded, int MaxRowsInStep, int LiveSequences, int QueuedSequences);
