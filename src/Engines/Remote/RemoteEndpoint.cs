using System.Globalization;

namespace Tts.Engines.Remote;

/// <summary>
/// Where a served model is and how to talk to it, from <c>URL[?OPTIONS][#SERVED-MODEL]</c>, e.g.
/// <c>http://gpu1:8000/v1?tokenizer=models/arith-policy&amp;concurrency=64#arith</c>. The query options are the client's
/// own and are never sent: <c>tokenizer</c> (a local model directory with tokenizer.json and config.json, or a tabular
/// JSON file: the served model's vocabulary, required), <c>concurrency</c> (requests in flight, default 32),
/// <c>timeout</c> (seconds per request, default 120), <c>retries</c> (after the first try, default 6), <c>key_env</c>
/// (the environment variable holding the API key, default TTS_OPENAI_API_KEY), <c>sampling</c> (<c>client</c>, the
/// default: the runtime samples from full next-token distributions; <c>server</c>: the server samples whole
/// continuations, <see cref="RemoteSampling"/>). The fragment names the served model
/// (the request's <c>model</c> field); without it the field is left out and the server uses its only model.
/// </summary>
public sealed record RemoteEndpoint(
    Uri BaseUrl,
    string? ServedModel,
    string TokenizerPath,
    int Concurrency = 32,
    double TimeoutSeconds = 120,
    int Retries = 6,
    string KeyVariable = RemoteEndpoint.DefaultKeyVariable,
    RemoteSampling Sampling = RemoteSampling.Client)
{
    public const string DefaultKeyVariable = "TTS_OPENAI_API_KEY";

    public const string Syntax = "URL[?tokenizer=PATH&sampling=client|server&concurrency=N&timeout=S&retries=N&key_env=VAR][#SERVED-MODEL]";

    /// <param name="needsTokenizer">False for endpoints that take text (a reward model's <c>/pooling</c>): then <c>tokenizer</c> may be left out.</param>
    /// <exception cref="RemoteException">The text is not such a URL, or an option is unknown or out of range.</exception>
    public static RemoteEndpoint Parse(string text, bool needsTokenizer = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text;
        string? served = null;
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            served = Uri.UnescapeDataString(rest[(hash + 1)..]);
            rest = rest[..hash];
            if (served.Length == 0)
            {
                throw new RemoteException($"'{text}': the served model name after '#' is empty (write {Syntax})");
            }
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                if (equals < 0 || !options.TryAdd(name, Uri.UnescapeDataString(pair[(equals + 1)..])))
                {
                    throw new RemoteException($"'{text}': option '{name}' must be given once as NAME=VALUE (write {Syntax})");
                }
            }

            rest = rest[..question];
        }

        if (!Uri.TryCreate(rest.TrimEnd('/'), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new RemoteException($"'{rest}' is not an http(s) URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1 (write {Syntax})");
        }

        var endpoint = new RemoteEndpoint(url, served, Take(options, "tokenizer") ?? (needsTokenizer ? null : "") ?? throw new RemoteException(
            $"'{text}': the served model's vocabulary is needed to map token ids: add ?tokenizer=DIR (a model directory with tokenizer.json and config.json) or ?tokenizer=FILE.json (a tabular model)"));
        endpoint = endpoint with
        {
            Concurrency = (int)Number(options, "concurrency", endpoint.Concurrency, 1, 4096, text),
            TimeoutSeconds = Number(options, "timeout", endpoint.TimeoutSeconds, 0.001, 86400, text),
            Retries = (int)Number(options, "retries", endpoint.Retries, 0, 100, text),
            KeyVariable = Take(options, "key_env") ?? endpoint.KeyVariable,
            Sampling = Take(options, "sampling") switch
            {
                null or "client" => RemoteSampling.Client,
                "server" => RemoteSampling.Server,
                var other => throw new RemoteException($"'{text}': sampling={other} must be client (the runtime samples from full distributions) or server (the server samples continuations)"),
            },
        };
        if (options.Count > 0)
        {
            throw new RemoteException($"'{text}': unknown option '{options.Keys.First()}' (known: tokenizer, sampling, concurrency, timeout, retries, key_env)");
        }

        return endpoint;
    }

    /// <summary>The URL of an endpoint under the base, e.g. "completions".</summary>
    public Uri Resolve(string path) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + path);

    /// <summary>The base URL and served model, for messages: never the key.</summary>
    public override string ToString() => BaseUrl.AbsoluteUri + (ServedModel is null ? "" : "#" + ServedModel);

    private static string? Take(Dictionary<string, string> options, string name) =>
        options.Remove(name, out var value) ? value : null;

    private static double Number(Dictionary<string, string> options, string name, double fallback, double min, double max, string text)
    {
        if (Take(options, name) is not { } value)
        {
            return fallback;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number >= min && number <= max)
            || (name != "timeout" && number != Math.Floor(number)))
        {
            throw new RemoteException($"'{text}': {name}={value} must be a {(name == "timeout" ? "number" : "whole number")} from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return number;
    }
}

/// <summary>Who draws the tokens of a remote model.</summary>
public enum RemoteSampling
{
    /// <summary>The runtime, from the full next-token law the server returns for every row and token (mode a).</summary>
    Client,

    /// <summary>The server, whole continuations per row with stop strings, n and a seed (mode b).</summary>
    Server,
}
