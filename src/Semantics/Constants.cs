using System.Globalization;
using System.Text;

namespace Tts.Semantics;

/// <summary>Formatting of constant values (long, double, string, bool, lists) the way the language writes them.</summary>
public static class Constants
{
    public static string Format(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatReal(d),
        string s => Quote(s),
        IEnumerable<object> list => "[" + string.Join(", ", list.Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Round-trippable, and always recognisable as a real ("1.0", not "1").</summary>
    public static string FormatReal(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E' }) >= 0 || text.IndexOf("Infinity", StringComparison.Ordinal) >= 0 || text == "NaN" ? text : text + ".0";
    }

    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
