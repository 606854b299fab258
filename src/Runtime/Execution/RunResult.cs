namespace Tts.Runtime.Execution;

/// <summary>The output of one independent run: its index, returned value (string, long, double or bool) and cost.</summary>
public sealed record RunResult(int Run, object Output, Spent Spent);
