using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tts.Runtime.Models;

/// <summary>Reading a model's JSON files, every failure one <see cref="ModelException"/> line naming the file.</summary>
internal static class ModelFiles
{
    /// <param name="what">What the file is, for the message ("the tokenizer").</param>
    public static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ModelException($"{path}: cannot read {what}: {exception.Message}", exception);
        }
    }

    public static JsonObject ParseObject(string json, string sourceName)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ModelException($"{sourceName}: expected a JSON object");
        }
        catch (JsonException exception)
        {
            throw new ModelException($"{sourceName}: not valid JSON: {exception.Message}", exception);
        }
    }
}
