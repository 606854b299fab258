namespace Tts.Engines.Remote;

/// <summary>
/// What a remote model or reward has cost so far, counted from the answers (the server's <c>usage</c>) and from the
/// client's own tries. Thread-safe: requests finish on many threads.
/// </summary>
public sealed class RemoteUsage
{
    private long _requests;
    private long _retries;
    private long _promptTokens;
    private long _completionTokens;

    /// <summary>Requests answered successfully (each counted once, however many tries it took).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Tries that failed transiently and were repeated.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Prompt tokens the server processed (its usage.prompt_tokens; the client re-sends a row's prefix every step).</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    public long CompletionTokens => Interlocked.Read(ref _completionTokens);

    internal void Answered(long promptTokens, long completionTokens)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _completionTokens, completionTokens);
    }

    internal void Retried() => Interlocked.Increment(ref _retries);

    public override string ToString() =>
        $"{Requests} requests ({Retries} retried), {PromptTokens} prompt tokens, {CompletionTokens} completion tokens";
}
