namespace Tts.Serving;

/// <summary>
/// Where the server listens and the limits it enforces. A request over a limit gets a 4xx naming the field, never a
/// silent truncation; sequences beyond <see cref="MaxBatch"/> wait in a bounded queue, and past that the server answers 429.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>An IP address, or <c>localhost</c>; <c>0.0.0.0</c> listens on every interface.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests); the bound address is <see cref="RunningServer.Uri"/>.</summary>
    public int Port { get; init; }

    /// <summary>Most sequences (rows) one model decodes in one batched step, across all requests.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>Most sequences waiting for a place in the batch; a request that would exceed it gets 429.</summary>
    public int MaxQueuedSequences { get; init; } = 4096;

    /// <summary>Most choices per prompt (<c>n</c>).</summary>
    public int MaxN { get; init; } = 256;

    /// <summary>Most prompts in one request (a list of texts or of token-id lists).</summary>
    public int MaxPrompts { get; init; } = 256;

    /// <summary>Upper bound of <c>max_tokens</c>.</summary>
    public int MaxTokens { get; init; } = 4096;

    /// <summary>Most tokens in one prompt.</summary>
    public int MaxPromptTokens { get; init; } = 8192;

    /// <summary>
    /// Upper bound of <c>logprobs</c> and <c>prompt_logprobs</c> (alternatives per position); null: the model's whole
    /// vocabulary, so a client can read full next-token distributions.
    /// </summary>
    public int? MaxLogprobs { get; init; }

    /// <summary>Largest request body in bytes (Kestrel answers 413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Which law the returned log-probabilities describe (<see cref="Serving.LogprobsMode"/>).</summary>
    public LogprobsMode LogprobsMode { get; init; } = LogprobsMode.Processed;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit that is not positive.</summary>
    public void Validate()
    {
        Positive(MaxBatch, nameof(MaxBatch));
        Positive(MaxQueuedSequences, nameof(MaxQueuedSequences));
        Positive(MaxN, nameof(MaxN));
        Positive(MaxPrompts, nameof(MaxPrompts));
        Positive(MaxTokens, nameof(MaxTokens));
        Positive(MaxPromptTokens, nameof(MaxPromptTokens));
        Positive(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        if (MaxLogprobs is { } logprobs)
        {
            Positive(logprobs, nameof(MaxLogprobs));
        }

        if (MaxQueuedSequences < MaxBatch)
        {
            // Else a request that fits the batch could be refused forever, and a 429 promises that a retry can succeed.
            throw new ArgumentException($"{nameof(MaxQueuedSequences)} ({MaxQueuedSequences}) must be at least {nameof(MaxBatch)} ({MaxBatch}).");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"{nameof(Port)} must be in 0..65535, got {Port}.");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"{nameof(Host)} must be an IP address or localhost.");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} must be at least 1, got {value}.");
        }
    }
}
