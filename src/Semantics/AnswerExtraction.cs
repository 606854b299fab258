using System.Text.RegularExpressions;

namespace Tts.Semantics;

/// <summary>
/// The built-in <c>answer(t)</c>: the final answer of a worked solution, as graders of math benchmarks read it.
/// In order: the content of the last <c>\boxed{...}</c> (braces balanced); else the rest of the line after
/// the last <c>A:</c>; else the last number (sign, digits, optional decimals); else the empty text.
/// </summary>
public static class AnswerExtraction
{
    private static readonly Regex LastNumber = new(@"-?\d+(?:\.\d+)?", RegexOptions.CultureInvariant | RegexOptions.RightToLeft);

    public static string Extract(string text)
    {
        var boxed = text.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (boxed >= 0)
        {
            var start = boxed + "\\boxed{".Length;
            var depth = 1;
            for (var i = start; i < text.Length; i++)
            {
                depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
                if (depth == 0)
                {
                    return text.Substring(start, i - start).Trim();
                }
            }
        }

        var marker = text.LastIndexOf("A:", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var end = text.IndexOf('\n', marker);
            var line = end < 0 ? text.Substring(marker + 2) : text.Substring(marker + 2, end - marker - 2);
            return line.Trim();
        }

        var number = LastNumber.Match(text);
        return number.Success ? number.Value : "";
    }
}
