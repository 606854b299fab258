namespace Tts.Language.Binding;

/// <summary>
/// The fix a type mismatch (TTS0105) names, from the type wanted and the type found: a conversion where the language
/// has one, else what to write instead.
/// </summary>
internal static class TypeFixes
{
    public static string For(object? expected, object? actual)
    {
        var want = Strip(expected);
        var have = Strip(actual);
        var fix = (want, have) switch
        {
            (_, "population") => "reduce it to one value with sample(xs), best(xs, by: ...) or vote(xs)",
            ("text", "int" or "real" or "bool") => "write a text in quotes, e.g. \"...\"",
            ("int", "real") => "write a whole number (a real does not convert to int)",
            ("int" or "real", "text") => "write a number, without quotes",
            ("real", "Score" or "Prob" or "LogWeight") => "convert with real(x)",
            ("Score", "int" or "real" or "Prob") => "convert with score(x)",
            ("Prob", "int" or "real") => "convert with prob(x)",
            ("LogWeight", "Score") => "convert with log(s) / tau",
            ("LogWeight", "Prob") => "convert with log(p)",
            ("LogWeight", "int" or "real") => "convert with weight(x)",
            ("bool", _) => "write a condition, e.g. a comparison such as len(x) > 0",
            _ when want.StartsWith("int", StringComparison.Ordinal) || want.StartsWith("real", StringComparison.Ordinal)
                || want.StartsWith("text", StringComparison.Ordinal) => $"give a value of type {want}",
            _ => "",
        };
        return fix.Length == 0 ? "" : ": " + fix;
    }

    /// <summary>"a text" and "a single int" name the type the same way as "text".</summary>
    private static string Strip(object? type)
    {
        var text = Convert.ToString(type, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        foreach (var prefix in new[] { "a single ", "an ", "a " })
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return text.Substring(prefix.Length);
            }
        }

        return text;
    }
}
