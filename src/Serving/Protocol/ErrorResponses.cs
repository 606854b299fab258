using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tts.Serving.Protocol;

/// <summary>Writes errors in OpenAI's shape; a bug becomes a 500 with a one-line message, never a stack trace.</summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", error.Message);
            json.WriteString("type", error.Type);
            if (error.Param is null)
            {
                json.WriteNull("param");
            }
            else
            {
                json.WriteString("param", error.Param);
            }

            json.WriteString("code", error.Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    /// <summary>An unexpected failure: its type and message only (the server's own log keeps nothing more either).</summary>
    public static ApiException Internal(Exception exception) =>
        new(500, "server_error", "internal_error", null, $"Internal error: {exception.GetType().Name}: {exception.Message}");
}
