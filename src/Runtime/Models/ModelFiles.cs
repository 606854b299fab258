using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tts.Runtime.Models;

/// <summary>Reading a model's JSON files, every failure one <see cref="ModelException"/> line naming the file.</summary>
internal static partial class ModelFiles
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

    /// <summary>
    /// The file's root object. A syntax error is located one-based; a string or key holding an unpaired surrogate
    /// escape (<c>"\ud800"</c>, valid JSON but not text) is refused here with its path, since System.Text.Json only
    /// fails on it when the value is read, far from the file.
    /// </summary>
    public static JsonObject ParseObject(string json, string sourceName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new ModelException($"{sourceName}: not valid JSON {Locate(exception)}", exception);
        }

        if (MayHoldUnpairedSurrogate(json))
        {
            using var document = JsonDocument.Parse(json);
            if (FindUnpairedSurrogate(document.RootElement, "") is { } path)
            {
                throw new ModelException($"{sourceName}: {path} {UnpairedSurrogate}");
            }
        }

        return root as JsonObject ?? throw new ModelException($"{sourceName}: expected a JSON object, got {JsonFieldReader.Describe(root)}");
    }

    public const string UnpairedSurrogate = "holds an unpaired UTF-16 surrogate escape (such as \\ud800), which is not text";

    /// <summary>One-based, as every location the tool prints (<see cref="JsonErrors.Locate"/>).</summary>
    public static string Locate(JsonException exception) => JsonErrors.Locate(exception);

    /// <summary>Whether the JSON text has a <c>\uD800</c>–<c>\uDFFF</c> escape (a cheap test before walking the document).</summary>
    public static bool MayHoldUnpairedSurrogate(string json) => SurrogateEscape().IsMatch(json);

    /// <summary>
    /// Where the first key or string whose escapes leave an unpaired surrogate is, or null: the string's path from
    /// <paramref name="path"/> (e.g. "$" or ""), or "PATH: a key" for a key of the object at PATH.
    /// </summary>
    public static string? FindUnpairedSurrogate(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path.Length == 0 ? "a key" : $"{path}: a key";
                    }

                    if (FindUnpairedSurrogate(property.Value, Member(path, name)) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUnpairedSurrogate(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return path;
                }

            default:
                return null;
        }
    }

    /// <summary><c>path.name</c>, or <c>path["name"]</c> when the name is not a plain identifier.</summary>
    public static string Member(string path, string name) =>
        PlainName().IsMatch(name)
            ? path.Length == 0 ? name : $"{path}.{name}"
            : $"{path}[{JsonSerializer.Serialize(name)}]";

    [GeneratedRegex(@"\\u[dD][89a-fA-F]")]
    private static partial Regex SurrogateEscape();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainName();
}
