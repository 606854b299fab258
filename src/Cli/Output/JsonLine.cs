using System.Text;
using System.Text.Json;

namespace Tts.Cli.Output;

/// <summary>One JSON object on one line, as `tts run --format jsonl` and `tts check --format json` print them.</summary>
internal static class JsonLine
{
    // Readable text in the output: no \u escapes for non-ASCII or HTML-sensitive characters (still valid JSON).
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The object whose properties <paramref name="writeProperties"/> writes.</summary>
    public static string Object(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
