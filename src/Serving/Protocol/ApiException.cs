namespace Tts.Serving.Protocol;

/// <summary>
/// A request the server refuses, answered as <c>{"error": {"message", "type", "param", "code"}}</c> with
/// <see cref="Status"/>: the OpenAI error shape, so any OpenAI client reports it as the server's message.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int status, string type, string code, string? param, string message)
        : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        Param = param;
    }

    public int Status { get; }

    /// <summary>OpenAI's error type, e.g. <c>invalid_request_error</c>.</summary>
    public string Type { get; }

    /// <summary>A stable code, e.g. <c>invalid_value</c>, <c>model_not_found</c>.</summary>
    public string Code { get; }

    /// <summary>The request field at fault (<c>temperature</c>, <c>prompt</c>), or null.</summary>
    public string? Param { get; }

    /// <summary>400: a field has a bad value.</summary>
    public static ApiException Invalid(string param, string message) =>
        new(400, "invalid_request_error", "invalid_value", param, message);

    /// <summary>400: a field has the wrong JSON type.</summary>
    public static ApiException WrongType(string param, string expected) =>
        new(400, "invalid_request_error", "invalid_type", param, $"'{param}' must be {expected}.");

    /// <summary>400: a required field is missing.</summary>
    public static ApiException Missing(string param) =>
        new(400, "invalid_request_error", "missing_required_parameter", param, $"'{param}' is required.");

    /// <summary>400: a field this server knows but does not implement, with a value that would change the result.</summary>
    public static ApiException Unsupported(string param, string message) =>
        new(400, "invalid_request_error", "unsupported_parameter", param, message);

    /// <summary>404: no model of that name is served.</summary>
    public static ApiException ModelNotFound(string name, IEnumerable<string> served) =>
        new(404, "invalid_request_error", "model_not_found", "model",
            $"The model '{name}' does not exist on this server; it serves: {string.Join(", ", served)}.");

    /// <summary>429: the queue of waiting sequences is full.</summary>
    public static ApiException AtCapacity(int sequences, int free) =>
        new(429, "rate_limit_error", "server_at_capacity", null,
            $"The server is at capacity: this request needs {sequences} sequences and {free} places are free in the queue; retry later.");
}
