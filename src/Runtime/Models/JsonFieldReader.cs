using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tts.Runtime.Models;

/// <summary>
/// Typed reads of a model file's JSON fields. A field of the wrong type is one <see cref="ModelException"/> line
/// naming the file, the field's path and what it holds, instead of the InvalidOperationException that
/// <c>JsonNode.GetValue</c> or an indexer on a <c>JsonValue</c> throws.
/// </summary>
internal sealed class JsonFieldReader(string sourceName)
{
    public ModelException Error(string field, string message) => new($"{sourceName}: {field} {message}");

    public JsonObject Object(JsonNode? node, string field) =>
        OptionalObject(node, field) ?? throw WrongType(field, "an object", node);

    public JsonObject? OptionalObject(JsonNode? node, string field) =>
        node switch
        {
            null => null,
            JsonObject value => value,
            _ => throw WrongType(field, "an object", node),
        };

    public JsonArray Array(JsonNode? node, string field) =>
        OptionalArray(node, field) ?? throw WrongType(field, "an array", node);

    public JsonArray? OptionalArray(JsonNode? node, string field) =>
        node switch
        {
            null => null,
            JsonArray value => value,
            _ => throw WrongType(field, "an array", node),
        };

    public string String(JsonNode? node, string field) =>
        OptionalString(node, field) ?? throw WrongType(field, "a string", node);

    public string? OptionalString(JsonNode? node, string field) =>
        node switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            _ => throw WrongType(field, "a string", node),
        };

    public bool? OptionalBool(JsonNode? node, string field) =>
        node switch
        {
            null => null,
            JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
            _ => throw WrongType(field, "true or false", node),
        };

    public int TokenId(JsonNode? node, string field) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var id) && id >= 0
            ? id
            : throw WrongType(field, "a non-negative integer id", node);

    public ModelException WrongType(string field, string expected, JsonNode? node) => Error(field, $"must be {expected}, got {Describe(node)}");

    /// <summary>What a node holds, briefly: "null", "an object", "an array", the string or the number.</summary>
    public static string Describe(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        var text = node.GetValueKind() switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => node.ToJsonString(),
        };
        if (text.Length <= 40)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[36]) ? 36 : 37; // never split a surrogate pair
        return text[..cut] + "...";
    }
}
