using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tts.Serving.Protocol;

namespace Tts.Serving.Hosting;

/// <summary>Reads a request body as one JSON object; malformed or oversized bodies become 400 / 413 in OpenAI's shape.</summary>
internal static class RequestBody
{
    public static async Task<JsonDocument> ReadAsync(HttpContext context)
    {
        try
        {
            var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new ApiException(400, "invalid_request_error", "invalid_json", null, "The request body must be a JSON object.");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new ApiException(400, "invalid_request_error", "invalid_json", null, $"The request body is not valid JSON {Tts.Runtime.Models.JsonErrors.Locate(e)}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiException(413, "invalid_request_error", "request_too_large", null, $"The request body exceeds the server's limit: {e.Message}");
        }
    }
}
