using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tts.Engines.Remote;

/// <summary>
/// POSTs JSON to an OpenAI-compatible server: at most <c>Concurrency</c> requests in flight, a timeout per try,
/// retries with backoff and jitter on 429 / 5xx / lost connections / unreadable (truncated) bodies, and cancellation
/// that aborts requests in flight. Each call returns exactly one parsed answer or throws: a retried request is never
/// answered twice to the caller, so no particle is duplicated or lost. The API key is read from the environment and
/// only ever put in the Authorization header.
/// </summary>
public sealed class CompletionsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _slots;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan _timeout;
    private readonly string? _apiKey;

    /// <param name="handler">The HTTP stack (a fake in unit tests); null: a new <see cref="SocketsHttpHandler"/>.</param>
    public CompletionsClient(RemoteEndpoint endpoint, HttpMessageHandler? handler = null, RetryPolicy? retry = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _http = new HttpClient(handler ?? new SocketsHttpHandler { MaxConnectionsPerServer = endpoint.Concurrency }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _slots = new SemaphoreSlim(endpoint.Concurrency);
        _retry = retry ?? RetryPolicy.Default(endpoint.Retries);
        _timeout = TimeSpan.FromSeconds(endpoint.TimeoutSeconds);
        var key = Environment.GetEnvironmentVariable(endpoint.KeyVariable);
        _apiKey = string.IsNullOrEmpty(key) ? null : key;
    }

    public RemoteEndpoint Endpoint { get; }

    public RemoteUsage Usage { get; } = new();

    /// <summary>Sends <paramref name="body"/> (the served model's name is added) to <paramref name="path"/> under the base URL; the answer's root.</summary>
    /// <exception cref="RemoteException">The server refused the request (4xx other than 429), or every try failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public async Task<JsonElement> PostAsync(string path, JsonObject body, CancellationToken cancellation)
    {
        if (Endpoint.ServedModel is { } served)
        {
            body["model"] = served;
        }

        var json = body.ToJsonString();
        var url = Endpoint.Resolve(path);
        await _slots.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var (answer, failure, retryAfter) = await TryOnceAsync(url, json, cancellation).ConfigureAwait(false);
                if (answer is { } root)
                {
                    Usage.Answered(Count(root, "prompt_tokens"), Count(root, "completion_tokens"));
                    return root;
                }

                if (attempt >= _retry.Retries)
                {
                    throw new RemoteException($"{Endpoint}: {path} failed {attempt + 1} times; the last failure: {failure}");
                }

                Usage.Retried();
                await Task.Delay(_retry.Delay(attempt, retryAfter), cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }

    /// <summary>One try: the parsed answer, or why it failed transiently (a permanent failure throws).</summary>
    private async Task<(JsonElement? Answer, string Failure, TimeSpan? RetryAfter)> TryOnceAsync(Uri url, string json, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (_apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (RetryPolicy.IsTransient(response.StatusCode))
            {
                return (null, $"HTTP {(int)response.StatusCode}", response.Headers.RetryAfter?.Delta);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RemoteException($"{Endpoint}: the server refused the request (HTTP {(int)response.StatusCode}): {ErrorMessage(text)}");
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                return (document.RootElement.Clone(), "", null);
            }
            catch (JsonException)
            {
                // A body cut off in transit parses as broken JSON: the same request may arrive whole next time.
                return (null, $"an unreadable answer of {text.Length} characters (cut off?)", null);
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return (null, $"no answer within {_timeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException exception)
        {
            return (null, $"connection failed ({exception.HttpRequestError}: {exception.Message})", null);
        }
        catch (IOException exception)
        {
            return (null, $"connection lost ({exception.Message})", null);
        }
    }

    /// <summary>The server's own error text (OpenAI's {"error": {"message": ...}} or vLLM's {"message": ...}), on one line.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message))
                {
                    return OneLine(message.ToString());
                }

                if (root.TryGetProperty("message", out var plain))
                {
                    return OneLine(plain.ToString());
                }
            }
        }
        catch (JsonException)
        {
        }

        return OneLine(body.Length > 300 ? body[..300] + "…" : body);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static long Count(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
        && usage.TryGetProperty(name, out var value) && value.TryGetInt64(out var count)
            ? count
            : 0;
}
