using System.Globalization;
using System.Text.Json;

namespace Tts.Runtime.Models;

/// <summary>Where a JSON syntax error is, said the way every other location of the tool is: one-based.</summary>
public static class JsonErrors
{
    /// <summary>
    /// "at line L, position P: reason", one-based: System.Text.Json reports <c>LineNumber</c> and
    /// <c>BytePositionInLine</c> from zero and appends them to its message, which is cut here.
    /// </summary>
    public static string Locate(JsonException exception)
    {
        static string OneBased(long? zeroBased) => zeroBased is { } value ? (value + 1).ToString(CultureInfo.InvariantCulture) : "?";
        return $"at line {OneBased(exception.LineNumber)}, position {OneBased(exception.BytePositionInLine)}: {Reason(exception)}";
    }

    /// <summary>The message without System.Text.Json's zero-based "Path: ... | LineNumber: ... | BytePositionInLine: ..." tail.</summary>
    public static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var reason = (suffix >= 0 ? message[..suffix] : message).Trim();
        return reason.EndsWith('|') ? reason.TrimEnd('|').Trim() : reason;
    }
}
