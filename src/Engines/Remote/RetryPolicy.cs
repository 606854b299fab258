using System.Net;

namespace Tts.Engines.Remote;

/// <summary>
/// Which failures of a request are worth another try, and how long to wait: exponential backoff with full jitter
/// (a uniform wait up to base·2^attempt, capped), or the server's Retry-After when it gives one. Retrying is safe
/// because every request is idempotent for the client: the same prompt and seed, and only one answer is ever used.
/// </summary>
public sealed record RetryPolicy(int Retries, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default(int retries) => new(retries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    /// <summary>Overloaded (429), a server error (5xx) or a gateway timeout (408): the same request may succeed later.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>The wait before retry number <paramref name="attempt"/> (0 = the first retry).</summary>
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked < MaxDelay ? asked : MaxDelay;
        }

        var ceiling = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        ceiling = Math.Min(ceiling, MaxDelay.TotalMilliseconds);

        // Full jitter spreads retries of many particles hit by one outage; its randomness never reaches an output.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
