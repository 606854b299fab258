using System.Globalization;
using System.Text;

namespace Tts.Semantics;

/// <summary>
/// The escapes of a <c>.tts</c> string literal (<c>\n \t \r \" \\ \uXXXX</c>), for text typed outside a file: a shell
/// passes <c>'Q: 3+4=?\n'</c> as a backslash and an <c>n</c>, and the shipped models' prompts end in a newline.
/// </summary>
public static class TextEscapes
{
    public const string Summary = "\\n \\t \\r \\\" \\\\ \\uXXXX";

    /// <summary>The text with its escapes decoded, or null and <paramref name="error"/> naming the bad escape.</summary>
    public static string? Decode(string text, out string? error)
    {
        error = null;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                builder.Append(text[i]);
                continue;
            }

            if (i + 1 == text.Length)
            {
                error = $"it ends in a lone backslash: write \\\\ for a backslash (escapes: {Summary})";
                return null;
            }

            var escape = text[++i];
            switch (escape)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case 'u' when i + 4 < text.Length && IsHex(text, i + 1):
                    builder.Append((char)int.Parse(text.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    error = $"\\{escape} at character {i} is not an escape: write \\\\ for a backslash (escapes: {Summary})";
                    return null;
            }
        }

        return builder.ToString();
    }

    private static bool IsHex(string text, int start)
    {
        for (var i = start; i < start + 4; i++)
        {
            if (!Uri.IsHexDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
